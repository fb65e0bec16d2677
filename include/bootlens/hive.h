/* hive.h — read-only access to a registry hive file.
 *
 * The only module that knows about libregf/libbfio.  A hive is mapped (or
 * read) into memory, its base block is checked, transaction logs are replayed
 * in memory when it is dirty, and libregf validates the result through a
 * libbfio handle over that memory (bounds-checked callbacks: libbfio's own
 * memory range over-reads).  Keys and values are then read by a direct cell
 * reader (or by libregf with --reader libregf).  Keys and values come back as plain bytes plus decoders that
 * tolerate what real hives contain (wrong types, odd case, empty strings).
 * Parts of a damaged hive that cannot be read are recorded as problems
 * (path + reason) instead of aborting. */
#ifndef BOOTLENS_HIVE_H
#define BOOTLENS_HIVE_H

#include "bootlens/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Registry value types. */
enum {
    BL_REG_NONE = 0,
    BL_REG_SZ = 1,
    BL_REG_EXPAND_SZ = 2,
    BL_REG_BINARY = 3,
    BL_REG_DWORD = 4,
    BL_REG_DWORD_BE = 5,
    BL_REG_LINK = 6,
    BL_REG_MULTI_SZ = 7,
    BL_REG_QWORD = 11,
};

/* Hard limits on what we accept from a file: lengths in a hive are never
 * trusted beyond these. */
#define BL_HIVE_MAX_SIZE ((size_t)1 << 31) /* 2 GiB: larger than any real SYSTEM hive */
#define BL_LOG_MAX_SIZE ((size_t)1 << 30)
#define BL_VALUE_MAX_SIZE ((size_t)16 << 20)
#define BL_MAX_LOGS 8

/* ---- base block ---- */

typedef struct bl_base_block {
    uint32_t primary_seq, secondary_seq;
    uint64_t last_written; /* FILETIME */
    uint32_t major, minor, file_type, file_format;
    uint32_t root_cell, hive_bins_size, clustering;
    char file_name[128]; /* embedded name, UTF-8 (often "SYSTEM" or a path) */
    bool has_guids;      /* RmId, LogId, TmId set ("rmtm" signature, Vista and later) */
    uint8_t rm_id[16], log_id[16], tm_id[16];
    uint32_t checksum, computed_checksum;
} bl_base_block;

/* Parses and checks the 4096-byte base block at data.  Returns 0 when it is a
 * usable primary hive base block, -1 with a reason in err ("LABEL: ...")
 * otherwise.  `label` names the file in messages. */
int bl_base_block_parse(const uint8_t *data, size_t size, const char *label, bl_base_block *out,
                        bl_error *err);
uint32_t bl_base_block_checksum(const uint8_t *block);

/* ---- transaction log recovery (hive/recover.c) ---- */

typedef struct bl_log_file {
    const char *path;
    const uint8_t *data;
    size_t size;
} bl_log_file;

typedef struct bl_recovery {
    bool dirty;            /* primary needed recovery (sequence numbers differ or log is newer) */
    char why[256];         /* why it is considered dirty, for the report */
    char format[8];        /* "new" (Windows 8.1+ HvLE entries) or "old" (dirty vector), "" if none */
    uint32_t logs_applied; /* how many log files contributed */
    char applied[BL_MAX_LOGS][512]; /* their paths, in application order */
    uint32_t entries;      /* log entries replayed (new format) */
    uint32_t pages;        /* dirty pages written */
    uint32_t final_seq;    /* sequence number of the recovered hive */
    char notes[4][512];    /* e.g. "X.LOG2: entry 7 hash mismatch, stopped there" */
    uint32_t nnotes;
} bl_recovery;

/* Decides whether `primary` is dirty and, if so, replays `logs` onto a copy.
 * On success returns 0; *out is a malloc'd recovered image (clean base block,
 * both sequence numbers equal, correct checksum) or NULL when nothing needed
 * replaying.  Returns -1 with err when the hive is dirty but no log can
 * recover it.  Never modifies its inputs. */
int bl_hive_recover(const uint8_t *primary, size_t size, const char *label, const bl_log_file *logs,
                    size_t nlogs, uint8_t **out, size_t *out_size, bl_recovery *rep, bl_error *err);

/* Finds HIVE.LOG, HIVE.LOG1, HIVE.LOG2 beside `hive_path`, in any letter case.
 * Fills paths (malloc'd) and returns how many were found (at most max). */
size_t bl_find_logs(const char *hive_path, char **paths, size_t max);

/* ---- opened hive ---- */

typedef struct bl_hive bl_hive;
typedef struct bl_key bl_key;

typedef struct bl_hive_options {
    bool no_recovery;        /* analyze the primary file as it is */
    const char *const *logs; /* explicit --log files; when NULL, logs are searched beside the hive */
    size_t nlogs;
    /* Read keys and values through libregf instead of the direct cell reader
     * (slower; the reference the tests compare against). */
    bool libregf_reader;
    /* SHA-256 of the primary and of every log read, for the report's inputs
     * (costs ~0.7 ms per MB, so only when the output shows it). */
    bool hash_inputs;
} bl_hive_options;

/* One file the hive was read from: the primary or a transaction log. */
typedef struct bl_hive_input {
    char *path; /* as named: a file path, or an origin inside a disk image */
    size_t size;
    bool is_log;
    bool hashed; /* sha256 is set (bl_hive_options.hash_inputs) */
    uint8_t sha256[BL_SHA256_SIZE];
} bl_hive_input;

typedef struct bl_hive_problem {
    char *path;   /* key path that could not be read, "" for the whole file */
    char *reason;
} bl_hive_problem;

typedef struct bl_hive_info {
    const char *path;
    size_t file_size;
    bl_base_block base;
    bool dirty;         /* as found on disk */
    bool recovered;     /* logs were replayed into what we read */
    bl_recovery recovery;
    const bl_hive_problem *problems;
    uint32_t nproblems;
    const bl_hive_input *inputs; /* the primary first, then the logs read (applied or not) */
    uint32_t ninputs;
} bl_hive_info;

/* Opens `path` read-only.  Returns 0, or -1 with a one-line reason. */
int bl_hive_open(const char *path, const bl_hive_options *opt, bl_hive **out, bl_error *err);
/* A hive that is not a file of its own (image/ found it inside a disk
 * image): the primary's bytes, malloc'd, whose ownership passes to the hive
 * (freed on failure too); the label that names it in every message and
 * report (its origin, "disk.E01#p2:/Windows/System32/config/SYSTEM"); the
 * logs found beside it (borrowed, each labelled by its origin), and one line
 * per log found but unreadable (log_notes, "\n"-separated, may be NULL). */
typedef struct bl_hive_bytes {
    uint8_t *data;
    size_t size;
    const char *label;
    const bl_log_file *logs;
    size_t nlogs;
    const char *log_notes;
} bl_hive_bytes;

/* Opens such a hive with exactly the checks, recovery and options of
 * bl_hive_open (explicit opt->logs files replace in->logs).  Returns 0, or
 * -1 with a one-line reason naming in->label. */
int bl_hive_open_bytes(const bl_hive_bytes *in, const bl_hive_options *opt, bl_hive **out, bl_error *err);
/* Opens an in-memory image (copied); used by fuzzers and tests. */
int bl_hive_open_memory(const uint8_t *data, size_t size, const char *label, bl_hive **out,
                        bl_error *err);
void bl_hive_close(bl_hive *h);
const bl_hive_info *bl_hive_get_info(const bl_hive *h);
/* libregf's and libbfio's versions (bootlens --version). */
void bl_hive_libraries(bl_libraries *l);
/* The bytes libregf reads (recovered image when logs were replayed). */
const uint8_t *bl_hive_image(const bl_hive *h, size_t *size);
/* Writes those bytes to fd (recover): runs of zero bytes become holes when
 * fd can seek, and little stays resident however large the hive.  Returns 0,
 * or -1 with "LABEL: reason". */
int bl_hive_write_image(const bl_hive *h, int fd, const char *label, bl_error *err);
/* The reason recorded for `path` (exact, case-insensitive), or NULL. */
const char *bl_hive_problem_for(const bl_hive *h, const char *path);
/* Records a problem found while reading (path may be ""). */
void bl_hive_add_problem(bl_hive *h, const char *path, const char *fmt, ...) BL_PRINTF(3, 4);

/* Keys.  Paths use '\' and compare case-insensitively.  Functions returning
 * bl_key* return NULL when the key is absent; when it exists but cannot be
 * read, they also record a problem. */
bl_key *bl_hive_root(bl_hive *h);
bl_key *bl_key_open(bl_hive *h, bl_key *parent, const char *path);
void bl_key_close(bl_key *k);
const char *bl_key_name(const bl_key *k);
const char *bl_key_path(const bl_key *k);
uint32_t bl_key_subkey_count(bl_key *k);
bl_key *bl_key_subkey(bl_key *k, uint32_t index);
uint64_t bl_key_last_written(bl_key *k);

typedef struct bl_value {
    const char *name; /* "" for the default value */
    uint32_t type;
    const uint8_t *data;
    size_t size;
} bl_value;

/* Values: the returned pointers stay valid until the next value call on the
 * same key or until the key is closed. */
uint32_t bl_key_value_count(bl_key *k);
bool bl_key_value(bl_key *k, uint32_t index, bl_value *out);
bool bl_key_value_by_name(bl_key *k, const char *name, bl_value *out);

/* ---- value decoding (hive/value.c): pure functions over bytes ---- */

/* A DWORD from REG_DWORD, REG_DWORD_BIG_ENDIAN, a small REG_QWORD, a 4/8-byte
 * REG_BINARY, or a REG_SZ holding a decimal or 0x-hex number.  Sets
 * *coerced when the type was not REG_DWORD. */
bool bl_value_dword(const bl_value *v, uint32_t *out, bool *coerced);
/* The string of REG_SZ/REG_EXPAND_SZ/REG_LINK (UTF-16LE, up to the first NUL),
 * the first non-empty string of a REG_MULTI_SZ, or the decimal text of a
 * DWORD.  Appends UTF-8 to sb.  False if nothing string-like is there. */
bool bl_value_string(const bl_value *v, bl_sb *sb, bool *coerced);
/* Calls fn for each non-empty string of a REG_MULTI_SZ (a REG_SZ counts as a
 * one-item list).  Returns the number of strings, or -1 if not string-like. */
typedef void (*bl_string_fn)(void *ctx, const char *s, size_t n);
int bl_value_multi(const bl_value *v, bl_string_fn fn, void *ctx, bool *coerced);

/* UTF-16LE (n bytes, stops at NUL) to UTF-8 appended to sb; invalid units
 * become U+FFFD.  Returns bytes consumed including the terminator if any. */
size_t bl_utf16le_to_utf8(const uint8_t *p, size_t n, bl_sb *sb);
/* UTF-8 to UTF-16LE appended to sb (bytes). */
void bl_utf8_to_utf16le(const char *s, size_t n, bl_sb *sb);

const char *bl_reg_type_name(uint32_t type);

#endif
