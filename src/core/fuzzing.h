/* Internal: a switch for the fuzz harnesses only. When set, the loaders of checksummed files
 * (.lvec, .lhnsw, checkpoints) skip their CRC comparisons, so mutations reach the parsers
 * behind them instead of stopping at the checksum. Never set by the library or the CLI. */
#ifndef LT_FUZZING_H
#define LT_FUZZING_H
extern int lt__fuzz_nocrc;
#endif
