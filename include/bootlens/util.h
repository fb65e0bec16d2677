/* util.h — small shared helpers: error reporting, growable strings, checked
 * allocation, case folding.  Every module uses these instead of rolling its
 * own (the git "strbuf" idea). */
#ifndef BOOTLENS_UTIL_H
#define BOOTLENS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#if defined(__GNUC__)
#define BL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define BL_NORETURN __attribute__((noreturn))
#else
#define BL_PRINTF(a, b)
#define BL_NORETURN
#endif

#define BL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* bootlens' version: what --version prints and every report (JSON, SARIF)
 * records.  Defined once, in util.c (the Makefile may override it with
 * -DBOOTLENS_VERSION=...). */
const char *bl_version(void);

/* A one-line error for the user: "FILE: what is wrong".  Functions that can
 * fail on bad input fill one and return a failure code; the CLI prints it. */
typedef struct bl_error {
    char msg[512];
} bl_error;

void bl_error_set(bl_error *err, const char *fmt, ...) BL_PRINTF(2, 3);
void bl_error_vset(bl_error *err, const char *fmt, va_list ap);

/* Allocation that cannot return NULL: on exhaustion it prints one line and
 * exits with status 2 (memory use is bounded by design, so this means the
 * machine itself is out of memory). */
void *bl_xmalloc(size_t n);
void *bl_xcalloc(size_t n, size_t size);
void *bl_xrealloc(void *p, size_t n);
/* Grows *p (an array of elem-sized items with *cap capacity) to hold need. */
void bl_grow(void **p, size_t elem, uint32_t *cap, uint32_t need);
char *bl_xstrdup(const char *s);
char *bl_xstrndup(const char *s, size_t n);
BL_NORETURN void bl_die(const char *fmt, ...) BL_PRINTF(1, 2);

/* Growable NUL-terminated string. */
typedef struct bl_sb {
    char *buf;
    size_t len, cap;
} bl_sb;

void bl_sb_add(bl_sb *sb, const char *s);
void bl_sb_addn(bl_sb *sb, const char *s, size_t n);
void bl_sb_addc(bl_sb *sb, char c);
void bl_sb_add_utf8(bl_sb *sb, uint32_t cp); /* one code point, UTF-8 encoded */
void bl_sb_addf(bl_sb *sb, const char *fmt, ...) BL_PRINTF(2, 3);
void bl_sb_vaddf(bl_sb *sb, const char *fmt, va_list ap);
void bl_sb_reset(bl_sb *sb);
/* Makes room for `extra` more bytes (and the terminator) without writing. */
void bl_sb_reserve(bl_sb *sb, size_t extra);
const char *bl_sb_str(const bl_sb *sb); /* never NULL */
char *bl_sb_detach(bl_sb *sb);          /* caller frees; sb is reset */
void bl_sb_free(bl_sb *sb);

/* Case folding as the registry compares names: ASCII and Latin-1 letters
 * fold to lower case; other code points compare exactly. */
int bl_fold_cmp(const char *a, const char *b);
bool bl_fold_eq(const char *a, const char *b);
bool bl_fold_has_prefix(const char *s, const char *prefix);
/* Writes the folded form of s[0..n) to sb (appending). */
void bl_fold_append(bl_sb *sb, const char *s, size_t n);

/* The order Windows keeps subkeys in (upper-cased comparison), used where
 * the registry's own enumeration order is the tie-break. */
int bl_registry_name_cmp(const char *a, const char *b);

uint32_t bl_hash_bytes(const void *p, size_t n);

/* A FILETIME (100 ns since 1601-01-01 UTC) as "2021-03-04T05:06:07Z";
 * false (buf = "") for 0 or a time outside years 1601-9999. */
bool bl_filetime_iso(uint64_t filetime, char buf[24]);

/* ---- Files (files.c) ---------------------------------------------------
 * Inputs are evidence: they are opened read-only without blocking and must
 * be regular files; outputs go to a temporary file beside the target, renamed
 * over it only once complete, and never replace an input. */

/* Opens path for reading as an input.  The open never blocks or acquires a
 * terminal (O_NONBLOCK, O_NOCTTY: a FIFO or a device path returns at once),
 * then anything but a regular file is refused.  Returns the descriptor (the
 * caller closes it) with *st filled, or -1 with "PATH: reason" in err. */
int bl_open_input(const char *path, struct stat *st, bl_error *err);
/* "FIFO", "character device", "directory"... for a st_mode. */
const char *bl_file_kind(unsigned mode);

/* Reads a whole file (bounded by max_size) into memory, opened as
 * bl_open_input does; on failure fills err with "PATH: reason". */
int bl_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size, bl_error *err);
/* The same, but a larger file is not an error: its first max_size bytes are
 * read (for parsers that report where the bound is crossed). */
int bl_read_file_head(const char *path, size_t max_size, uint8_t **data, size_t *size, bl_error *err);

/* Every file a command reads, named or found (a hive, the logs beside it,
 * --log files, INFs, baselines, knowledge files), identified by device and
 * inode so that no output can replace one of them, whatever path names it. */
typedef struct bl_input {
    char *path;
    const char *role; /* "hive", "transaction log", "INF", ... (static text) */
    bool exists;
    uint64_t dev, ino;
    bool is_hive; /* its transaction log names (PATH.LOG, .LOG1, .LOG2) are reserved too */
} bl_input;

typedef struct bl_inputs {
    bl_input *v;
    uint32_t n, cap;
} bl_inputs;

/* Records path (as stat(2) resolves it, so symlinks and hard links are
 * recognised).  A path that does not exist is kept by name only. */
void bl_inputs_add(bl_inputs *in, const char *path, const char *role);
void bl_inputs_free(bl_inputs *in);

/* An output being written.  fp (and fd) are a temporary file in the target's
 * directory; "-" writes standard output directly. */
typedef struct bl_output {
    char *path; /* the target as given */
    char *tmp;  /* the temporary file, NULL for standard output */
    int fd;
    FILE *fp;
    bool force;
} bl_output;

/* Contract: refuses (-1, err = "OUT: why", naming the input it would
 * replace) a target that is the same file as any input (device and inode,
 * through symlinks and hard links), a transaction log name of an input hive
 * (it would be replayed with the hive next time), an existing file that is
 * not a regular file (device node, FIFO, directory, socket), and any
 * existing file unless force.  Otherwise creates the temporary file and
 * returns 0.  Nothing is written to the target before bl_output_commit. */
int bl_output_open(bl_output *o, const char *path, bool force, const bl_inputs *in, bl_error *err);
/* Flushes and syncs the temporary file and renames it over the target
 * (re-checking that the target is still no input); on any failure the
 * temporary file is removed and -1 returned with err.  Always releases o. */
int bl_output_commit(bl_output *o, const bl_inputs *in, bl_error *err);
/* Removes the temporary file; the target is untouched.  Releases o. */
void bl_output_abort(bl_output *o);

/* ---- String pool ------------------------------------------------------
 * Interned, immutable strings and u32 lists, addressed by 32-bit ids.  The
 * boot model is plain data made of these ids, so copying a model for a
 * what-if is a memcpy of its arrays; the pool is shared by the copies and only
 * ever grows.  Id 0 is "absent" for strings and "empty" for lists. */
typedef uint32_t bl_str;
typedef uint32_t bl_vec;
typedef struct bl_pool bl_pool;

bl_pool *bl_pool_new(void);
bl_pool *bl_pool_ref(bl_pool *pool);
void bl_pool_unref(bl_pool *pool);

bl_str bl_pool_strn(bl_pool *pool, const char *s, size_t n);
bl_str bl_pool_str(bl_pool *pool, const char *s);
/* The spelling of id (never NULL; "" for 0). Pointers stay valid for the
 * pool's lifetime. */
const char *bl_pool_get(const bl_pool *pool, bl_str id);
/* The id of the case-folded spelling of id: equal for names Windows treats as
 * equal.  0 stays 0. */
bl_str bl_pool_fold(const bl_pool *pool, bl_str id);
/* Looks a string up without interning it; 0 if it was never interned. */
bl_str bl_pool_find(const bl_pool *pool, const char *s);
/* Folded id of a C string, or 0 if no such name was ever interned. */
bl_str bl_pool_find_folded(const bl_pool *pool, const char *s);

bl_vec bl_pool_vec(bl_pool *pool, const uint32_t *items, uint32_t n);
uint32_t bl_pool_vec_len(const bl_pool *pool, bl_vec v);
const uint32_t *bl_pool_vec_items(const bl_pool *pool, bl_vec v);
/* Index of the first item whose folded string equals folded id f, or -1. */
int bl_pool_vec_find_folded(const bl_pool *pool, bl_vec v, bl_str f);

/* ---- u32 -> u32 hash map (open addressing), used for name indexes ---- */
typedef struct bl_map {
    uint32_t *keys, *vals;
    uint32_t cap, count;
} bl_map;

void bl_map_put(bl_map *m, uint32_t key, uint32_t val); /* key != 0 */
bool bl_map_get(const bl_map *m, uint32_t key, uint32_t *val);
void bl_map_copy(bl_map *dst, const bl_map *src);
void bl_map_free(bl_map *m);

/* ---- SHA-256 (util/sha256.c, over nettle) ----
 * Streaming: init, update any number of times, final.  The state is kept
 * opaque here so no header outside util/ depends on nettle. */
#define BL_SHA256_SIZE 32
#define BL_SHA256_HEX 65 /* 64 hex digits and the terminator */
typedef struct bl_sha256_ctx {
    _Alignas(8) uint8_t state[128];
} bl_sha256_ctx;
void bl_sha256_init(bl_sha256_ctx *s);
void bl_sha256_update(bl_sha256_ctx *s, const void *data, size_t n);
void bl_sha256_final(bl_sha256_ctx *s, uint8_t digest[BL_SHA256_SIZE]);
void bl_sha256(const void *data, size_t n, uint8_t digest[BL_SHA256_SIZE]);
void bl_sha256_hex(const uint8_t digest[BL_SHA256_SIZE], char hex[BL_SHA256_HEX]);

/* A file an output was computed from that no module hashed as it read it
 * (knowledge files, INFs, regedit-text baselines): its size and SHA-256,
 * from a read of its own, for the JSON envelope's "inputs". */
typedef struct bl_file_digest {
    const char *role; /* "knowledge", "inf", "baseline" (static text) */
    const char *path; /* borrowed */
    uint64_t size;
    bool hashed; /* false: the file could not be read again (size is 0) */
    uint8_t sha256[BL_SHA256_SIZE];
} bl_file_digest;
/* Fills d for path, reading it in bounded blocks (never all at once). */
void bl_file_digest_compute(bl_file_digest *d, const char *role, const char *path);

/* ---- library versions (bootlens --version) ----
 * Each module lists the libraries it is built on (bl_hive_libraries,
 * bl_image_libraries, bl_report_libraries, bl_util_libraries): the version
 * the loaded library reports at run time, and the one of the headers it was
 * compiled against. */
typedef struct bl_library {
    const char *name;
    char run_time[32];     /* "" when the library has no version function */
    char compile_time[32]; /* "" when its headers have no version macro */
} bl_library;
typedef struct bl_libraries {
    bl_library v[16];
    uint32_t n;
} bl_libraries;
void bl_libraries_add(bl_libraries *l, const char *name, const char *run_time, const char *compile_time);
/* nettle's, from util/sha256.c. */
void bl_util_libraries(bl_libraries *l);

#endif
