/* The BN254 group law for G1 and G2 (see bn254_curve.h and bn254_jacobian.inc). */
#include "bn254_curve.h"

#define G g1
#define F fq
#define FT fe
#define CURVE_B G1_B
#include "bn254_jacobian.inc"
#undef G
#undef F
#undef FT
#undef CURVE_B

#define G g2
#define F fq2
#define FT fe2
#define CURVE_B G2_B
#include "bn254_jacobian.inc"
#undef G
#undef F
#undef FT
#undef CURVE_B
