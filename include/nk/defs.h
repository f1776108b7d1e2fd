/* libnk: shared definitions for every public header. */
#ifndef NK_DEFS_H
#define NK_DEFS_H

#include <stddef.h>
#include <stdint.h>

/* Marks a declaration as part of the exported API; everything else in
 * libnk is built with -fvisibility=hidden and stays internal. */
#if defined(__GNUC__) || defined(__clang__)
#define NK_API __attribute__((visibility("default")))
#else
#define NK_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#define NK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NK_PRINTF(f, a)
#endif

#define NK_VERSION "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* The version string of the libnk that is linked in ("0.1.0"). */
NK_API const char *nk_version(void);

#ifdef __cplusplus
}
#endif

#endif
