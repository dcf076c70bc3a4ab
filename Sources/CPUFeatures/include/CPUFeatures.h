#ifndef BACKPROP_CPU_FEATURES_H
#define BACKPROP_CPU_FEATURES_H

/// The x86-64 micro-architecture level this CPU runs: 4 (x86-64-v4: AVX-512 F, CD, BW, DQ
/// and VL), 3 (x86-64-v3: AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE), or 0 for anything else
/// (older x86-64, or another architecture).
int backprop_x86_64_level(void);

#include "Prefetch.h"

#endif
