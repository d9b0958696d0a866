/* latent: embeddings in C. Umbrella header; see each capability's header. */
#ifndef LATENT_H
#define LATENT_H
#include "latent/core.h"
#include "latent/io.h"
#include "latent/kern.h"
#include "latent/store.h"
#include "latent/text.h"
#include "latent/sgns.h"
#include "latent/word2vec.h"
#include "latent/eval.h"
#include "latent/index.h"
#include "latent/bert.h"
#include "latent/vision.h"
#include "latent/tokenizer.h"
#include "latent/graph.h"
#include "latent/model.h"
#include "latent/dense.h"
#include "latent/glove.h"
#include "latent/nn.h"
#include "latent/images.h"
#include "latent/plot.h"
#endif
