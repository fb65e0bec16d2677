/* inf_internal.h — what the files of the INF parser share and nobody else
 * sees: the physical-line reader (decode.c) and the bl_inf structure that
 * parse.c builds and select.c reads. */
#ifndef BOOTLENS_INF_INTERNAL_H
#define BOOTLENS_INF_INTERNAL_H

#include "bootlens/inf.h"

/* ---- decode.c: bytes -> UTF-8 physical lines ---- */

typedef void (*inf_warn_fn)(void *ctx, uint32_t line_no, const char *msg);

typedef struct inf_reader {
    const char *name;
    const uint8_t *data;
    size_t size, pos;
    bl_inf_encoding enc;
    uint32_t line_no; /* number of the line last returned */
    bl_sb line;       /* that line in UTF-8, without its terminator */
    bool at_eof;
    bool warned_surrogate;
    inf_warn_fn warn;
    void *warn_ctx;
} inf_reader;

/* Detects the encoding (BOM, UTF-16LE heuristics, UTF-8 validity) and
 * positions the reader after any BOM.  Warnings (e.g. "read as
 * Windows-1252") go to warn. */
void inf_reader_init(inf_reader *r, const char *name, const uint8_t *data, size_t size,
                     inf_warn_fn warn, void *warn_ctx);
/* Reads the next physical line into r->line.  Returns 1 for a line, 0 at
 * the end (a Ctrl-Z end-of-file mark ends the file too), -1 with err set to
 * "NAME:LINE: ..." for input that is not INF text: NUL bytes, control
 * characters, lines longer than BL_INF_MAX_LINE_BYTES. */
int inf_reader_next(inf_reader *r, bl_error *err);
void inf_reader_free(inf_reader *r);

/* ---- parse.c: the parsed INF ---- */

/* Open-addressing index from a folded name to a u32 (store.c). */
typedef struct inf_index {
    const char **keys;
    uint32_t *vals;
    uint32_t cap, count, seed;
} inf_index;

typedef struct inf_arena_chunk inf_arena_chunk;

struct bl_inf {
    char *name;
    bl_inf_encoding encoding;
    inf_arena_chunk *arena;

    bl_inf_section *sections;
    const char **folded; /* folded section names, parallel to sections */
    uint32_t nsections, sections_cap;
    inf_index section_index;

    bl_inf_line *lines; /* all lines, grouped by section */
    bl_inf_value *values;

    int32_t strings_section; /* index of the [Strings*] section in use, or -1 */
    inf_index strings;       /* folded key -> index into string_values */
    const char **string_values;
    uint32_t nstrings, strings_cap;

    bl_inf_ref *refs;
    uint32_t nrefs, refs_cap;

    bl_inf_diag *diags;
    uint32_t ndiags, diags_cap, diags_dropped;

    bl_inf_suppression *suppressions; /* `; bootlens: ignore RULE reason` comments */
    uint32_t nsuppressions, suppressions_cap;

    bl_inf_version_info version;

    /* Sections by the folded text before the first and the last ".nt" of
     * their name: the base a decorated name extends.  nt_index maps a base
     * to its first link + 1; a link is (section, next link + 1). */
    inf_index nt_index;
    uint32_t (*nt_links)[2];
    uint32_t nt_nlinks, nt_links_cap;

    /* bl_inf_select_section answers for memo_target, keyed by
     * "base\x1fsuffix" (folded), valued section index + 1 or 0. */
    inf_index select_memo;
    bl_inf_target memo_target;
};

/* Appends a warning "NAME:LINE: ..." (bounded by BL_INF_MAX_DIAGS). */
void inf_warn(bl_inf *inf, uint32_t line_no, const char *fmt, ...) BL_PRINTF(3, 4);
/* Whether folded names a strings section; *langid gets its LANGID, or -1
 * for the undecorated [Strings]. */
bool inf_strings_langid(const char *folded, int32_t *langid);

/* ---- check.c ---- */

/* Fills inf->version and inf->refs and warns about missing sections; run
 * once all lines are substituted. */
void inf_check(bl_inf *inf);

/* ---- store.c: the arena owning every string of a bl_inf, and the index ---- */

char *inf_alloc(bl_inf *inf, size_t n);
const char *inf_strn(bl_inf *inf, const char *s, size_t n);
/* Folds s into the case Windows ignores, as a string in inf's arena. */
const char *inf_fold(bl_inf *inf, const char *s, size_t n);
void inf_arena_free(bl_inf *inf);

/* Lookup by an already folded key; false when absent. */
bool inf_index_get(const inf_index *ix, const char *folded, uint32_t *val);
/* The value slot of folded (which must outlive the index), added with value
 * 0 when absent (*added tells which). */
uint32_t *inf_index_ref(inf_index *ix, const char *folded, bool *added);
/* Adds folded -> val unless folded is there already (the first definition
 * wins, as in Windows' first-match lookups); false if it was. */
bool inf_index_put(inf_index *ix, const char *folded, uint32_t val);
void inf_index_free(inf_index *ix);

/* ---- select.c: used by parse.c's reference checks ---- */

/* s[0..n) with every stampinf $ARCH$ placeholder replaced by arch (in tmp,
 * whose text is returned), or s itself when it has none; *len gets the
 * length. */
const char *inf_stamp(const char *s, size_t n, const char *arch, bl_sb *tmp, size_t *len);
/* Whether s[0..n) holds a $ARCH$ placeholder. */
bool inf_has_arch_placeholder(const char *s, size_t n);

/* Fills inf->nt_index once all sections are known. */
void inf_index_decorated(bl_inf *inf);
/* Whether some section is named base or base.NT<anything>. */
bool inf_any_install_section(const bl_inf *inf, const char *base);

#endif
