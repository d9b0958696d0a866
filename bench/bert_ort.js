// ONNX Runtime peer for the BERT encoder benchmark (npm onnxruntime-node@1.30.0, installed
// with --ignore-scripts under ORT_DIR). Same token ids as latent (`latent tokenize`), the
// ONNX file from bench/bert_onnx.py. Validates against latent's embeddings, then times
// (a) one 128-token sentence at a time and (b) padded batches of 64 short sentences.
// usage: ORT_DIR=bench/out/ort node bench/bert_ort.js MODEL.onnx IDS_128.jsonl IDS_SHORT.jsonl LATENT_128.npy THREADS
const fs = require('fs');
const ort = require(require('path').resolve(process.env.ORT_DIR || 'bench/out/ort', 'node_modules/onnxruntime-node'));
const [onnx, f128, fshort, ref, T] = process.argv.slice(2);
const lines = f => fs.readFileSync(f, 'utf8').split('\n').filter(l => l.length).map(l => JSON.parse(l));

function readNpy(f) {
  const b = fs.readFileSync(f);
  const hl = b.readUInt16LE(8), hdr = b.toString('latin1', 10, 10 + hl);
  const shape = hdr.match(/\((\d+), *(\d+)\)/).slice(1).map(Number);
  const off = 10 + hl;
  return { shape, data: new Float32Array(b.buffer.slice(b.byteOffset + off, b.byteOffset + off + shape[0] * shape[1] * 4)) };
}

function feeds(batch) {
  const S = Math.max(...batch.map(s => s.length)), B = batch.length;
  const ids = new BigInt64Array(B * S), mask = new BigInt64Array(B * S);
  batch.forEach((s, i) => s.forEach((t, j) => { ids[i * S + j] = BigInt(t); mask[i * S + j] = 1n; }));
  return { input_ids: new ort.Tensor('int64', ids, [B, S]), attention_mask: new ort.Tensor('int64', mask, [B, S]) };
}

(async () => {
  const sess = await ort.InferenceSession.create(onnx, { intraOpNumThreads: +T, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const ids128 = lines(f128), idsS = lines(fshort);
  const R = readNpy(ref);
  let maxd = 0;
  for (let i = 0; i < ids128.length; i++) {
    const e = (await sess.run(feeds([ids128[i]]))).embedding.data;
    for (let j = 0; j < e.length; j++) maxd = Math.max(maxd, Math.abs(e[j] - R.data[i * R.shape[1] + j]));
  }
  console.error(`max-abs vs latent ${maxd.toExponential(2)}`);
  let t0 = process.hrtime.bigint();
  for (const s of ids128) await sess.run(feeds([s]));
  const ta = Number(process.hrtime.bigint() - t0) / 1e9;
  for (let b = 0; b < 64 * 2; b += 64) await sess.run(feeds(idsS.slice(b, b + 64)));  // warm the batch shapes
  t0 = process.hrtime.bigint();
  for (let b = 0; b < idsS.length; b += 64) await sess.run(feeds(idsS.slice(b, b + 64)));
  const tb = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`ort\t${T}\t128-token one at a time\t${(ids128.length / ta).toFixed(1)}\tbatches of 64 short\t${(idsS.length / tb).toFixed(1)}`);
})().catch(e => { console.error(e); process.exit(1); });
