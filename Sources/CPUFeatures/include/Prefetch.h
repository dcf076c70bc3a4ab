#ifndef BACKPROP_PREFETCH_H
#define BACKPROP_PREFETCH_H

/// Asks the CPU to bring the cache line at `address` into its caches for a read soon: a
/// hint, never a fault. Swift has no prefetch of its own; this inlines into the caller.
static inline void backprop_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
