/* inf.h — Windows driver INF files: the parser (this first part) and, below
 * it, applying an INF to a boot model (the apply part).
 *
 * The parser reads an INF the way Windows setup does (Microsoft's "General
 * Syntax Rules for INF Files", "INF Strings Section", "INF Manufacturer
 * Section", "Using Dirids") and hands the apply step plain, read-only data:
 * sections found by case-insensitive name, each a list of lines whose fields
 * are already unquoted and %strkey%-substituted, every line carrying its line
 * number so that findings can point at FILE:LINE.  Nothing here knows about
 * hives or the boot model. */
#ifndef BOOTLENS_INF_H
#define BOOTLENS_INF_H

#include "bootlens/util.h"

/* ======================================================================
 * Parser
 * ====================================================================== */

/* Input bounds.  Windows itself limits a field to 4096 characters; these
 * caps are far above anything a real INF needs and exist so that hostile
 * input cannot make the parser allocate without bound. */
#define BL_INF_MAX_FILE_BYTES (64u << 20)     /* whole file */
#define BL_INF_MAX_LINE_BYTES (1u << 20)      /* one line, continuations joined */
#define BL_INF_MAX_FIELD_BYTES (64u << 10)    /* one field after %strkey% substitution */
#define BL_INF_MAX_EXPANDED_BYTES (64u << 20) /* all fields after substitution */
#define BL_INF_MAX_ITEMS (1u << 20)           /* fields plus sections */
#define BL_INF_MAX_SECTIONS (1u << 18)        /* distinct section names */
#define BL_INF_MAX_DIAGS 500u             /* warnings kept; the rest are counted */
#define BL_INF_MAX_SUPPRESSIONS 1000u     /* `; bootlens: ignore` directives kept */
#define BL_INF_WINDOWS_FIELD_CHARS 4096u  /* Windows' limit, NUL included */
#define BL_INF_WINDOWS_SECTION_CHARS 255u /* Windows' limit on a section name */

typedef struct bl_inf bl_inf;

/* How the file's bytes were read.  Everything the API returns is UTF-8. */
typedef enum bl_inf_encoding {
    BL_INF_ENC_ASCII,
    BL_INF_ENC_UTF8,          /* valid UTF-8 without BOM */
    BL_INF_ENC_UTF8_BOM,      /* EF BB BF */
    BL_INF_ENC_ANSI,          /* not UTF-8: read as Windows-1252, Windows' Western ANSI code page */
    BL_INF_ENC_UTF16LE,       /* FF FE */
    BL_INF_ENC_UTF16LE_NOBOM, /* no BOM, recognised by its zero high bytes */
    BL_INF_ENC_UTF16BE,       /* FE FF */
} bl_inf_encoding;

const char *bl_inf_encoding_name(bl_inf_encoding enc);

typedef struct bl_inf_options {
    /* LANGID choosing the [Strings.xxxx] section, e.g. 0x0407 for German.
     * Windows' order: exact LANGID, then the same primary language with
     * SUBLANG_NEUTRAL, then any sublanguage of that primary language, then
     * the undecorated [Strings].  Default 0x0409 (en-US). */
    uint16_t langid;
} bl_inf_options;

void bl_inf_options_init(bl_inf_options *opt);

/* One comma-separated field.  Positional directives (AddReg's
 * `reg-root,[subkey],[value-name],[flags],[value]`) need to tell an empty
 * field from a missing one: an empty field is present with text "", a
 * missing one is past the end of the line's values. */
typedef struct bl_inf_value {
    const char *text; /* unquoted, ""-unescaped, %strkey% and %% substituted; never NULL */
    const char *raw;  /* unquoted but not substituted: what the INF wrote */
    bool quoted;      /* some of it was in double quotes (`""` is an explicit empty string) */
} bl_inf_value;

/* One logical line (continuations joined, comment removed). */
typedef struct bl_inf_line {
    const char *key;            /* text before '=' (substituted), or NULL when the line has none */
    const char *raw_key;        /* NULL when key is */
    const bl_inf_value *values; /* fields after '=', or all fields of a line without '=' */
    uint32_t nvalues;           /* `key =` has 0, `key = ,,` has 3 empty ones */
    uint32_t line_no;           /* 1-based physical line where it starts */
} bl_inf_line;

/* A section; all [name] headers that fold to the same name are merged into
 * one, their lines in file order. */
typedef struct bl_inf_section {
    const char *name; /* spelling of its first header, verbatim */
    uint32_t line_no; /* line of that header */
    const bl_inf_line *lines;
    uint32_t nlines;
} bl_inf_section;

/* A warning, fully formatted as "FILE:LINE: what is wrong". */
typedef struct bl_inf_diag {
    uint32_t line_no;
    const char *message;
} bl_inf_diag;

/* An Include= or Needs= entry.  The parser never opens other INFs; the
 * caller decides whether to parse the files it names. */
typedef enum bl_inf_ref_kind { BL_INF_REF_INCLUDE, BL_INF_REF_NEEDS } bl_inf_ref_kind;

typedef struct bl_inf_ref {
    bl_inf_ref_kind kind;
    const char *name;    /* an INF file name (Include) or a section name (Needs) */
    const char *section; /* the section holding the entry */
    uint32_t line_no;
} bl_inf_ref;

/* The [Version] entries the rest of bootlens cares about; NULL when absent.
 * DriverVer is split at its comma: "06/21/2006" and "10.0.19041.1". */
typedef struct bl_inf_version_info {
    const char *signature, *class_name, *class_guid, *provider, *catalog_file;
    const char *driver_ver_date, *driver_ver_version;
    uint32_t class_line, class_guid_line, driver_ver_line; /* 0 when absent */
} bl_inf_version_info;

/* The syntax as parsed:
 *  - ';' outside quotes and %strkey% tokens starts a comment;
 *  - a '\' ending a line (outside quotes, before any comment) joins the
 *    next line, the backslash dropped;
 *  - [name] starts a section, the name verbatim between the brackets;
 *    lines before the first section are ignored;
 *  - the first '=' before any ',' ends the key; ',' separates fields, each
 *    trimmed of blanks outside quotes; inside quotes "" is one quote;
 *  - %% is a percent sign, %strkey% the selected [Strings] value, %n% (a
 *    DIRID) stays for bl_inf_image_path; in [Strings*] sections values are
 *    literal and commas do not separate;
 *  - fatal: unterminated quote, header without ']', NUL or control
 *    characters (binary data), lines past BL_INF_MAX_LINE_BYTES, and the
 *    other bounds above.
 * Parses an INF held in memory (name is used in messages only).  Returns
 * NULL on a fatal error with err set to "NAME:LINE: what is wrong"; problems
 * Windows would shrug off become warnings (bl_inf_diag_at).  Never reads
 * outside data[0..size) and never allocates more than a small multiple of
 * the bounds above. */
bl_inf *bl_inf_parse_mem(const char *name, const void *data, size_t size, const bl_inf_options *opt,
                         bl_error *err);
/* Reads path and parses it; a file over BL_INF_MAX_FILE_BYTES is refused
 * with the line where the bound is crossed. */
bl_inf *bl_inf_parse_file(const char *path, const bl_inf_options *opt, bl_error *err);
void bl_inf_free(bl_inf *inf);

const char *bl_inf_name(const bl_inf *inf);
bl_inf_encoding bl_inf_get_encoding(const bl_inf *inf);

/* Sections in order of first appearance. */
uint32_t bl_inf_section_count(const bl_inf *inf);
const bl_inf_section *bl_inf_section_at(const bl_inf *inf, uint32_t i);
/* Case-insensitive exact lookup; NULL if absent.  Decorations are not
 * applied: see bl_inf_select_section for that. */
const bl_inf_section *bl_inf_find_section(const bl_inf *inf, const char *name);

/* The first line of s after `after` (NULL: from the start; otherwise a
 * line of s) whose key equals key case-insensitively; NULL when there is
 * none.  Loop with it to visit repeated directives (AddReg may appear
 * several times). */
const bl_inf_line *bl_inf_find_key(const bl_inf_section *s, const char *key,
                                   const bl_inf_line *after);
/* The text of field i, "" when it is present but empty, NULL when the line
 * has fewer fields. */
const char *bl_inf_value_at(const bl_inf_line *line, uint32_t i);
/* First value of the first `key` line of section, or NULL. */
const char *bl_inf_lookup(const bl_inf *inf, const char *section, const char *key);

/* The selected [Strings] section's value for key (case-insensitive), NULL
 * if undefined; and that section's name (NULL if the INF has none). */
const char *bl_inf_string(const bl_inf *inf, const char *key);
const char *bl_inf_strings_section(const bl_inf *inf);

const bl_inf_version_info *bl_inf_version(const bl_inf *inf);

uint32_t bl_inf_ref_count(const bl_inf *inf);
const bl_inf_ref *bl_inf_ref_at(const bl_inf *inf, uint32_t i);

/* Warnings sorted by line.  When more than BL_INF_MAX_DIAGS were raised the
 * last one says how many were left out. */
uint32_t bl_inf_diag_count(const bl_inf *inf);
const bl_inf_diag *bl_inf_diag_at(const bl_inf *inf, uint32_t i);

/* An inline suppression, a comment `; bootlens: ignore RULE[,RULE] reason`:
 * after an entry it covers that entry's line; on a line of its own (or
 * after a section header) the next entry line; before the first section
 * header the whole INF.  Each rule of the list is one entry here; the
 * parser does not know rule ids (lint checks them). */
typedef struct bl_inf_suppression {
    uint32_t line_no;   /* the comment's line */
    uint32_t target;    /* the entry line it covers; 0: the whole INF */
    const char *rule;   /* as written: a rule id or "*" */
    const char *reason; /* the rest of the comment, "" when none */
} bl_inf_suppression;

uint32_t bl_inf_suppression_count(const bl_inf *inf);
const bl_inf_suppression *bl_inf_suppression_at(const bl_inf *inf, uint32_t i);

/* Formats "NAME:LINE: message" into err, for callers reporting problems
 * they find in the INF's content. */
void bl_inf_error_at(const bl_inf *inf, uint32_t line_no, bl_error *err, const char *fmt, ...)
    BL_PRINTF(4, 5);

/* INF numeric field: decimal or 0x-hex, surrounding blanks allowed, a
 * leading '-' gives the two's complement (Windows writes -1 for 0xFFFFFFFF).
 * Returns 0, or -1 when s is empty, malformed or out of 32-bit range. */
int bl_inf_parse_u32(const char *s, uint32_t *out);
/* Field i of line as a number; on failure err reads
 * "NAME:LINE: field N is "..." , not a number" (or "is missing"). */
int bl_inf_value_u32(const bl_inf *inf, const bl_inf_line *line, uint32_t i, uint32_t *out,
                     bl_error *err);

/* ---- Targets and decorated sections ----------------------------------
 * INFs in driver source trees (.inx, and .inf files a Visual Studio build
 * runs stampinf on) write $ARCH$ where stampinf puts the architecture, as
 * in NT$ARCH$.  The selection functions read $ARCH$ as the target's
 * architecture, which is what the stamped INF would say; the parser warns
 * once that it did so. */

typedef enum bl_inf_arch {
    BL_INF_ARCH_X86,
    BL_INF_ARCH_AMD64,
    BL_INF_ARCH_IA64,
    BL_INF_ARCH_ARM,
    BL_INF_ARCH_ARM64,
} bl_inf_arch;

/* The Windows an INF is applied to. */
typedef struct bl_inf_target {
    bl_inf_arch arch;
    uint32_t major, minor, build;
    uint32_t product_type; /* VER_NT_WORKSTATION 1, _DOMAIN_CONTROLLER 2, _SERVER 3 */
    uint32_t suite_mask;   /* VER_SUITE_* bits */
} bl_inf_target;

/* amd64, Windows 10 (10.0) build 19041, workstation, VER_SUITE_SINGLEUSERTS. */
void bl_inf_target_init(bl_inf_target *t);
const char *bl_inf_arch_name(bl_inf_arch arch); /* "amd64" ... */
/* Case-insensitive "x86", "amd64", "ia64", "arm", "arm64"; -1 otherwise. */
int bl_inf_parse_arch(const char *s, bl_inf_arch *out);

/* A platform extension / TargetOSVersion decoration:
 * nt[arch][.[major][.[minor][.[product-type][.[suite-mask][.[build]]]]]] */
typedef struct bl_inf_decoration {
    bool has_arch;
    bl_inf_arch arch;
    bool has_version; /* major given; minor defaults to 0 */
    uint32_t major, minor;
    uint32_t product_type, suite_mask, build; /* 0 when not given */
} bl_inf_decoration;

/* Parses s[0..n) ("NTamd64.10.0...16299", case-insensitive).  -1 when it is
 * not a decoration (e.g. "NT$ARCH$" in an unstamped .inx). */
int bl_inf_parse_decoration(const char *s, size_t n, bl_inf_decoration *d);
/* Whether Windows running as t accepts d.  With models set, an arch-less
 * decoration only fits x86, as for [Manufacturer] entries since Windows
 * Server 2003 SP1; install sections accept .NT on every architecture. */
bool bl_inf_decoration_applies(const bl_inf_decoration *d, const bl_inf_target *t, bool models);
/* > 0 when a is the better (more specific) match, < 0 when b is, 0 on a
 * tie: higher OS version first, then build, then an explicit architecture,
 * product type, and more suite bits. */
int bl_inf_decoration_cmp(const bl_inf_decoration *a, const bl_inf_decoration *b);

/* The section Windows processes for install section base (a DDInstall
 * name), optionally followed by a per-device suffix such as "Services" or
 * "HW": base.<decoration>[.suffix] with the most specific decoration that
 * applies to t (base.NTamd64 before base.NT before base), else base[.suffix]
 * itself.  NULL when none exists.  Besides the platform extensions Windows
 * documents for install sections, TargetOSVersion-decorated names
 * (base.NTamd64.10.0...16299) are honoured the same way as for models. */
const bl_inf_section *bl_inf_select_section(const bl_inf *inf, const char *base, const char *suffix,
                                            const bl_inf_target *t);

typedef enum bl_inf_models_result {
    BL_INF_MODELS_FOUND = 0,      /* *out is the models section */
    BL_INF_MODELS_NOT_FOR_TARGET, /* no decoration fits t: the entry installs nothing there */
    BL_INF_MODELS_MISSING,        /* the section Windows would use is not in the INF */
} bl_inf_models_result;

/* For one [Manufacturer] line (`%Mfg% = Models, NTamd64, NTamd64.10.0...16299`
 * or a bare `Models`), the models section Windows uses on t.  *out is set
 * (NULL unless FOUND); name, if given, receives the section name Windows
 * looks for; err explains NOT_FOR_TARGET and MISSING with the line. */
bl_inf_models_result bl_inf_select_models(const bl_inf *inf, const bl_inf_line *mfg,
                                          const bl_inf_target *t, const bl_inf_section **out,
                                          bl_sb *name, bl_error *err);

/* ---- Directory ids ---------------------------------------------------- */

/* The directory of a DIRID in readable form: 12 ->
 * "%SystemRoot%\System32\drivers", 13 -> the DriverStore folder with a
 * "<package>" placeholder.  NULL for ids bootlens does not know. */
const char *bl_inf_dirid_dir(int32_t dirid);
/* Copies path to out with every %dirid% replaced by bl_inf_dirid_dir's
 * text.  Returns the number of %n% tokens it could not resolve. */
uint32_t bl_inf_expand_dirids(const char *path, bl_sb *out);
/* The DriverStore folder name Windows gives this INF's package on t:
 * "<inf name>_<arch>_*", the '*' standing for the hash Windows derives from
 * the signed package, which cannot be known offline. */
void bl_inf_driver_store_dir(const bl_inf *inf, const bl_inf_target *t, bl_sb *out);
/* What Windows stores as ImagePath for `ServiceBinary = service_binary`:
 * kernel services (ServiceType < 0x10) get "\SystemRoot\System32\drivers\x.sys"
 * for %12%\x.sys and "\SystemRoot\System32\DriverStore\FileRepository\
 * <driver_store_dir>\x.sys" for %13%\x.sys; Win32 services get the
 * "%SystemRoot%\..." form.  Absolute paths are kept (\??\-prefixed for kernel
 * services).  Appends to out and returns 0; 1 when the result is readable
 * but not byte-exact (a DIRID outside %SystemRoot%); -1 when service_binary
 * is neither %dirid%-based nor absolute (Windows would not find the file). */
int bl_inf_image_path(const char *service_binary, uint32_t service_type,
                      const char *driver_store_dir, bl_sb *out);

/* ======================================================================
 * Apply (INF what-if on a boot model) — added by the apply step.
 * ====================================================================== */

/* Applying INFs to a boot model as Windows setup would (inf/apply.c), and
 * the lint built on it (inf/lint.c): what an INF's install sections write
 * below SYSTEM\CurrentControlSet, each write recorded with the INF line it
 * comes from, so that a finding the writes cause points back at that line.
 * doc/lint.md says what is and is not modelled. */
#include "bootlens/model.h"
#include "bootlens/rules.h"
#include "bootlens/sim.h"

/* Where a registry write comes from. */
typedef struct bl_inf_origin {
    const char *inf;       /* bl_inf_name of the INF */
    uint32_t line;         /* the entry that wrote it: an AddReg entry, StartType=... */
    const char *directive; /* "AddReg", "StartType", "AddService", "ClassGuid"... */
    uint32_t via;          /* the AddReg=/AddService= directive that reached the entry; 0 */
} bl_inf_origin;

/* One registry write of the INFs, in the order Windows setup makes them. */
typedef struct bl_inf_write {
    bl_change change;     /* key below the control set, as bl_changes_to_reg prints it */
    bl_inf_origin origin;
    bool in_model;        /* the boot model tracks it (false: e.g. a software-key value) */
    char *what;           /* in words: "appends dlpflt to the System class UpperFilters" */
} bl_inf_write;

typedef enum bl_apply_level { BL_APPLY_NOTE = 0, BL_APPLY_WARNING } bl_apply_level;

/* Something the apply step could not model, or wants said. */
typedef struct bl_apply_diag {
    bl_apply_level level;
    const char *inf;
    uint32_t line;
    char *message; /* "NAME:LINE: what" */
} bl_apply_diag;

/* A baseline device a models entry installs on. */
typedef struct bl_inf_match {
    const char *inf;
    char *instance_id;
    char *matched_id; /* the device's hardware or compatible id that matched */
    char *install;    /* the install section used, as selected for the target */
    uint32_t line;    /* the models entry */
} bl_inf_match;

/* Per INF: what of it applied. */
typedef struct bl_inf_summary {
    const char *inf;
    uint32_t model_entries;   /* models entries for the target */
    uint32_t matched_devices; /* baseline devices they install on */
    const char *default_install; /* the [DefaultInstall*] section processed, or NULL */
    bool class_installed;     /* ClassInstall32 created the INF's class */
} bl_inf_summary;

typedef struct bl_apply_result {
    bl_inf_write *writes;
    uint32_t nwrites, capwrites;
    bl_apply_diag *diags;
    uint32_t ndiags, capdiags;
    bl_inf_match *matches;
    uint32_t nmatches, capmatches;
    bl_inf_summary *infs;
    uint32_t ninfs;
} bl_apply_result;

/* SPSVCINST_* flags of AddService (setupapi.h). */
#define BL_SPSVCINST_TAGTOFRONT 0x1u
#define BL_SPSVCINST_ASSOCSERVICE 0x2u
#define BL_SPSVCINST_NOCLOBBER_DISPLAYNAME 0x8u
#define BL_SPSVCINST_NOCLOBBER_STARTTYPE 0x10u
#define BL_SPSVCINST_NOCLOBBER_ERRORCONTROL 0x20u
#define BL_SPSVCINST_NOCLOBBER_LOADORDERGROUP 0x40u
#define BL_SPSVCINST_NOCLOBBER_DEPENDENCIES 0x80u
#define BL_SPSVCINST_NOCLOBBER_DESCRIPTION 0x100u
#define BL_SPSVCINST_NOCLOBBER_DELAYEDAUTOSTART 0x8000u

/* FLG_ADDREG_* / FLG_DELREG_* flags (setupapi.h). */
#define BL_FLG_ADDREG_BINVALUETYPE 0x1u
#define BL_FLG_ADDREG_NOCLOBBER 0x2u
#define BL_FLG_ADDREG_DELVAL 0x4u
#define BL_FLG_ADDREG_APPEND 0x8u
#define BL_FLG_ADDREG_KEYONLY 0x10u
#define BL_FLG_ADDREG_OVERWRITEONLY 0x20u
#define BL_FLG_ADDREG_TYPE_MULTI_SZ 0x10000u
#define BL_FLG_ADDREG_TYPE_EXPAND_SZ 0x20000u
#define BL_FLG_ADDREG_TYPE_DWORD 0x10001u
#define BL_FLG_DELREG_MULTI_SZ_DELSTRING 0x18002u

/* Applies infs (in order) to m as Windows setup installs them on target t:
 * [Version] class, ClassInstall32 (when the class is new), [DefaultInstall]
 * and its .Services, and every models entry for t with its DDInstall,
 * .Services, .HW and .Filters sections; per-device parts go to the
 * devices of m whose HardwareID/CompatibleIDs match the entry's ids.
 * Needs= sections are looked up in the INF itself and in the other infs.
 * Fills out (caller frees with bl_apply_result_free, also on failure).
 * Returns 0, or -1 with "NAME:LINE: what is wrong" in err for what makes
 * Windows reject the install: a referenced section that is missing, a
 * malformed number in a field that matters.  m is then half-applied:
 * apply to a copy (bl_model_clone). */
int bl_inf_apply(bl_model *m, const bl_inf *const *infs, uint32_t ninfs, const bl_inf_target *t,
                 bl_apply_result *out, bl_error *err);
void bl_apply_result_free(bl_apply_result *r);
/* The writes that reach the boot model, as a .reg file (regedit format). */
void bl_apply_result_reg(const bl_apply_result *r, bl_sb *out);

/* ---- lint (inf/lint.c) ---- */

/* ---- suppressions (inf/suppress.c) ----
 * Inline ones are the INFs' `; bootlens: ignore RULE reason` comments
 * (bl_inf_suppression); external ones come from a suppressions file
 * (--suppressions), one entry a line:
 *     RULE [inf=PATH[:LINE]] [id=FINDING-ID] [service=NAME] [baseline=PATH] -- REASON
 * RULE is a rule id or `*`; every selector given must hold; the reason is
 * required; `#` starts a comment line.  doc/lint.md has the details. */
typedef struct bl_suppression {
    bool in_source;     /* an INF comment; else an entry of a suppressions file */
    const char *rule;   /* a rule id or "*" */
    const char *reason; /* the justification ("" when an inline one gives none) */
    const char *file;   /* where it is written: the INF or the suppressions file */
    uint32_t line;      /* its line there */
    /* what it covers */
    const char *inf;    /* in_source: its INF; external: an INF path (suffix match) or NULL */
    uint32_t inf_line;  /* the line of inf it covers; 0: any */
    const char *id;       /* external: a finding id (JSON "id"), or NULL */
    const char *service;  /* external: a service the finding concerns, or NULL */
    const char *baseline; /* external: a baseline path (suffix match, "builtin"), or NULL */
} bl_suppression;

typedef struct bl_suppressions {
    bl_suppression *v; /* strings owned (external entries) */
    uint32_t n, cap;
} bl_suppressions;

/* Appends the entries of suppressions file path; -1 with "PATH:LINE: what
 * is wrong" for a malformed line, an unknown rule, a missing reason. */
int bl_suppressions_load(bl_suppressions *s, const char *path, bl_error *err);
/* The same for a file's text already in memory (path names it in errors). */
int bl_suppressions_parse(bl_suppressions *s, const char *path, const char *data, size_t size, bl_error *err);
void bl_suppressions_free(bl_suppressions *s);
/* Whether id is a rule of the catalogue. */
bool bl_rule_known(const char *id);
/* Whether two paths name the same file as far as their text tells (equal,
 * or one is a trailing part of the other by whole components). */
bool bl_path_suffix_eq(const char *a, const char *b);

typedef struct bl_lint_options {
    bl_inf_target target;
    const bl_knowledge *knowledge;
    const bl_sim_options *sim;
    const struct bl_hive_info *hive; /* the baseline's hive, NULL for a model from text */
    bool no_fixes;
    const bl_suppressions *suppressions; /* external ones, or NULL */
    const char *baseline_path;           /* for baseline= selectors; NULL: the built-in baseline */
} bl_lint_options;

/* An INF line a finding points at. */
typedef struct bl_lint_location {
    const char *inf;       /* NULL: nothing links the finding to a line */
    uint32_t line;
    const char *directive; /* as in bl_inf_origin */
    const char *what;      /* the write's description */
} bl_lint_location;

typedef struct bl_lint_item {
    bl_lint_location primary;
    bl_lint_location *related; /* the other lines involved, by file and line */
    uint32_t nrelated;
    bool more_severe;          /* the baseline had it, less severe */
    bl_severity was;
    char **inf_fixes;          /* per fix of the finding: the INF edit it means, or NULL */
    const bl_suppression **suppressed_by; /* the suppressions covering it (reported, not dropped) */
    uint32_t nsuppressed;
} bl_lint_item;

/* Whether s covers finding f (located by it) on baseline (NULL: built-in). */
bool bl_suppression_covers(const bl_suppression *s, const bl_finding *f, const bl_lint_item *it,
                           const char *baseline);

typedef struct bl_lint_result {
    bl_model *after;            /* the baseline with the INFs applied */
    bl_timeline *after_timeline;
    bl_apply_result applied;
    bl_findings baseline;       /* the baseline's own findings (no fixes) */
    bl_findings findings;       /* new or more severe with the INFs: the lint's answer */
    bl_lint_item *items;        /* parallel to findings.v */
    uint32_t set_aside;         /* findings after the INFs that the baseline already had */
    uint32_t gone;              /* baseline findings the INFs make disappear */
    bl_suppression *inline_suppressions; /* the INFs' comments, as suppressions */
    uint32_t ninline;
    uint32_t suppressed;        /* findings covered by a suppression */
    const bl_suppressions *external; /* bl_lint_options.suppressions (not owned) */
} bl_lint_result;

/* Whether r has a finding that fails the lint: not suppressed, and at or
 * above fail_on (a bl_severity; 3 = never). */
bool bl_lint_fails(const bl_lint_result *r, int fail_on);

/* Lints infs against baseline: runs the rules on it, applies the INFs to a
 * copy, simulates the copy, runs the rules again (with the fix search
 * unless no_fixes) and keeps the findings that are new or more severe,
 * each pointed at the INF lines whose writes its evidence and services
 * name, and marked with the inline and external suppressions that cover
 * it.  Returns 0, or -1 with err when applying fails (out is freed). */
int bl_lint_run(const bl_model *baseline, const bl_inf *const *infs, uint32_t ninfs,
                const bl_lint_options *opt, bl_lint_result *out, bl_error *err);
void bl_lint_result_free(bl_lint_result *r);
/* Frees what a report of r no longer needs (the model and timeline after
 * the INFs, the baseline's own findings), so that many results can be kept
 * for a fleet report. */
void bl_lint_result_shrink(bl_lint_result *r);
/* ---- end of apply and lint ---- */

#endif
