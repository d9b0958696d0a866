/* The nn loops' table for this CPU: the path kern chose (LATENT_KERNEL=ref|avx2|avx512 forces
 * it). A build that compiles vec.c once (the fuzz harnesses) defines LT_NNVEC_REF_ONLY. */
#include "nn_vec.h"
#include "latent/kern.h"
#include <string.h>

extern const lt__nnvec lt__nnvec_ref;
#ifdef LT_NNVEC_REF_ONLY
#define lt__nnvec_avx2 lt__nnvec_ref
#define lt__nnvec_avx512 lt__nnvec_ref
#else
extern const lt__nnvec lt__nnvec_avx2, lt__nnvec_avx512;
#endif

const lt__nnvec *lt__nnv(void) {
    static const lt__nnvec *chosen;
    const lt__nnvec *r = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (r) return r;
    const char *k = lt_kern()->name;
    r = &lt__nnvec_ref;
    if (!strcmp(k, "avx512")) r = &lt__nnvec_avx512;
    else if (!strcmp(k, "avx2")) r = &lt__nnvec_avx2;
    __atomic_store_n(&chosen, r, __ATOMIC_RELEASE);
    return r;
}
