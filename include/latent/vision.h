/* latent vision: the image towers of pretrained models (CLIP's, ViT's) read from their Hugging
 * Face folders (config.json + model.safetensors) and run on the transformer core of the text
 * encoders (latent/bert.h): patches through the patch embedding, the class token and position
 * embeddings, the pre-norm blocks, then the model's pooling (CLIP: the class token's
 * post-layernorm and visual projection, as get_image_features; ViT: the class token after the
 * final layernorm).
 *
 *   lt_vision *v;
 *   lt_vision_load(&v, "clip-vit-base-patch32/", NULL);
 *   int S = lt_vision_image_size(v), C = lt_vision_channels(v);
 *   float *px = ...;                      // n images, (C, S, S) each, preprocessed
 *   float *emb = malloc(sizeof(float) * n * lt_vision_dim(v));
 *   lt_vision_embed(v, px, n, emb, 2);
 *   lt_vision_free(v);
 *
 * The pixels are what the model's processor gives (resized, cropped, normalised by the mean
 * and std of its preprocessor_config.json); the model is immutable after loading. */
#ifndef LATENT_VISION_H
#define LATENT_VISION_H
#include "latent/bert.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lt_vision lt_vision;
/* config.json model_type clip (CLIPModel: its vision tower and visual_projection),
 * clip_vision_model (CLIPVisionModel[WithProjection]), siglip / siglip_vision_model (the
 * attention-pooled tower) or vit (ViTModel); opts: precision only (NULL: f32) */
int lt_vision_load(lt_vision **out, const char *dir, const lt_bert_opts *opts);
void lt_vision_free(lt_vision *v);
int lt_vision_dim(const lt_vision *v); /* the output's dimension */
int lt_vision_image_size(const lt_vision *v); /* the side of the square input, pixels */
int lt_vision_channels(const lt_vision *v);
/* How the folder scores an image against a text: LT_SCORES_SOFTMAX (CLIPModel: logits =
 * *scale x cosine, a softmax over the labels), LT_SCORES_SIGMOID (SiglipModel: sigmoid(*scale x
 * cosine + *bias), each label on its own), 0 when it has no logit_scale (a tower alone) */
enum { LT_SCORES_SOFTMAX = 1, LT_SCORES_SIGMOID = 2 };
int lt_vision_scores(const lt_vision *v, float *scale, float *bias);
/* n images (n, C, S, S) floats into out (n, dim); n_threads inside the forward pass (the
 * same bytes for any count) */
int lt_vision_embed(const lt_vision *v, const float *pixels, int n, float *out, int n_threads);

#ifdef __cplusplus
}
#endif
#endif
