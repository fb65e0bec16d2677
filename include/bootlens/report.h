/* report.h — rendering models, timelines and findings: text for people,
 * JSON (cJSON) for programs, SARIF for CI, DOT for pictures, HTML (with the
 * boot timeline drawn as SVG) to read and print.  Nothing here
 * decides anything; it only shows what the earlier stages computed. */
#ifndef BOOTLENS_REPORT_H
#define BOOTLENS_REPORT_H

#include "bootlens/hive.h"
#include "bootlens/image.h"
#include "bootlens/model.h"
#include "bootlens/rules.h"
#include "bootlens/sim.h"

#include <stdio.h>

typedef enum bl_format {
    BL_FMT_TEXT = 0,
    BL_FMT_JSON,
    BL_FMT_SARIF,
    BL_FMT_DOT,
    BL_FMT_JSONL,
    BL_FMT_HTML,
} bl_format;

bool bl_format_parse(const char *s, bl_format *out);

/* Where a hive read from a disk image came from (image/): the image, the
 * volume and the Windows directory. */
typedef struct bl_image_source {
    const bl_image_info *image;
    const char *volume;       /* "p2", or "" for a volume image */
    const char *installation; /* "/Windows", or NULL when the hive was named by path */
    const char *path;         /* the hive's path on the volume, as spelled */
    bool hash_skipped;        /* no --hash-image: no SHA-256 of the image files */
} bl_image_source;

/* Everything one analysis produced. */
typedef struct bl_analysis {
    const bl_hive_info *hive; /* may be NULL (model built without a file) */
    const bl_model *model;
    const bl_timeline *timeline;
    const bl_findings *findings;
    const bl_image_source *image; /* NULL when the hive is a file of its own */
    /* The other files it was computed from (--knowledge files), for the
     * JSON inputs; may be empty. */
    const bl_file_digest *files;
    uint32_t nfiles;
} bl_analysis;

/* Which phases `order` shows. */
typedef enum bl_phase_filter {
    BL_SHOW_ALL = 0,
    BL_SHOW_BOOT,
    BL_SHOW_SYSTEM,
    BL_SHOW_AUTO,
} bl_phase_filter;

struct cJSON;
/* ---- the JSON envelope (report/json.c; doc/json.md, schemas/) ----
 * Every JSON document and JSONL line bootlens writes starts with
 *   "schema_version", "tool": {name, version, knowledge_version},
 *   "command", "inputs": [ every file it was computed from ]
 * followed by the command's payload.  The schema version is MAJOR.MINOR:
 * the minor grows with additions (a field, an open-enum value, a command),
 * the major with anything that can break a reader (a field removed,
 * renamed, retyped or given another meaning).  This is its one definition;
 * schemas/defs.schema.json checks its form. */
#define BL_JSON_SCHEMA_VERSION "1.0"
/* A new document for command, the envelope filled in; takes ownership of
 * inputs (a JSON array, NULL for none).  The caller adds the payload. */
struct cJSON *bl_json_envelope(const char *command, struct cJSON *inputs);
/* Appends an input to an envelope's inputs array and returns it (the
 * caller may add fields): its role ("hive", "a", "b", "baseline", "inf",
 * "knowledge", "image"), its origin (what messages call it: a path, or
 * IMAGE#p2:/PATH inside an image), its path (on its volume, for a file of an
 * image), its size (< 0: unknown) and SHA-256 (NULL: not computed). */
struct cJSON *bl_json_add_input(struct cJSON *inputs, const char *role, const char *origin, const char *path,
                                int64_t size, const uint8_t *sha256);
/* Appends the inputs of analysis a: its hive under role, with the logs
 * read beside it and the disk image it came from, then a->files (each once:
 * a file already in inputs with the same role is not repeated). */
void bl_json_add_analysis_inputs(struct cJSON *inputs, const bl_analysis *a, const char *role);
/* Appends digested files (bl_file_digest_compute), each once. */
void bl_json_add_file_inputs(struct cJSON *inputs, const bl_file_digest *d, uint32_t n);
/* A new inputs array holding a's inputs under role "hive". */
struct cJSON *bl_json_inputs(const bl_analysis *a);
/* cJSON's version (bootlens --version). */
void bl_report_libraries(bl_libraries *l);

/* JSON building blocks (caller owns the result, cJSON_Delete). */
struct cJSON *bl_json_hive(const bl_analysis *a);
struct cJSON *bl_json_load_order(const bl_analysis *a, bl_phase_filter filter);
struct cJSON *bl_json_devices(const bl_analysis *a);
struct cJSON *bl_json_device(const bl_analysis *a, uint32_t dev);       /* with hardware/compatible ids */
struct cJSON *bl_json_device_brief(const bl_analysis *a, uint32_t dev); /* the analysis' device entry */
struct cJSON *bl_json_findings(const bl_findings *f);
struct cJSON *bl_json_finding(const bl_finding *f);
/* analyze's document: the envelope, then hive, summary, load_order,
 * devices, filter_stack, findings. */
struct cJSON *bl_json_analysis(const bl_analysis *a);
/* One line per evidence fact for text reports ("evidence: …"), nothing when
 * the hive is a file of its own. */
void bl_report_evidence_text(FILE *out, const bl_analysis *a);
/* Prints j (formatted as cJSON_Print does, or compact) and a newline to
 * out, node by node, then deletes j (report/jsonout.c). */
void bl_json_print(FILE *out, struct cJSON *j, bool compact);
/* An array whose n items are built by item(ctx, i) (skipped when keep says
 * no) only while bl_json_print writes it, each freed once written: reports
 * of huge hives never hold their biggest arrays in memory. */
/* The same into a malloc'd string (deletes j). */
char *bl_json_to_string(struct cJSON *j, bool compact);
typedef struct cJSON *(*bl_json_item_fn)(const void *ctx, uint32_t i);
typedef bool (*bl_json_keep_fn)(const void *ctx, uint32_t i);
struct cJSON *bl_json_lazy_array(uint32_t n, bl_json_item_fn item, bl_json_keep_fn keep, const void *ctx);

/* `order`: LoadOrder-style table. */
void bl_report_order_text(FILE *out, const bl_analysis *a, bl_phase_filter filter);
void bl_report_order_json(FILE *out, const bl_analysis *a, bl_phase_filter filter);

/* `analyze`: the answer first, details after. */
typedef struct bl_text_options {
    bool verbose;   /* list every finding in full, info included; long lists in full */
    bool color;
    unsigned width; /* wrap prose to this many columns (0: do not wrap) */
} bl_text_options;
void bl_report_analyze_text(FILE *out, const bl_analysis *a, const bl_text_options *o);
void bl_report_analyze_json(FILE *out, const bl_analysis *a);

/* SARIF 2.1.0 (sarif.c).  One run: the rule catalogue with its help
 * (ruledoc.c) as tool.driver.rules, one result per finding, and one
 * invocation saying whether the run succeeded, with its notifications.
 * locate() says where a finding points; it may return false for "nowhere
 * in particular".  extend(), if given, adds what only the caller knows to
 * each result object (a cJSON). */
typedef struct bl_sarif_location {
    const char *uri;
    uint32_t line;      /* 0: no line */
    uint64_t file_size; /* with line 0: a binary artifact, the region is the whole file */
} bl_sarif_location;
typedef bool (*bl_sarif_locate_fn)(void *ctx, const bl_finding *f, bl_sarif_location *loc);
typedef void (*bl_sarif_extend_fn)(void *ctx, const bl_finding *f, struct cJSON *result);

/* A toolExecutionNotification: something about the run itself (an input
 * that could not be used, a part of an INF not modelled), not a finding. */
typedef struct bl_sarif_notice {
    bl_severity level;   /* error, warning, info (SARIF "note") */
    const char *message; /* one line */
    const char *uri;     /* the file it is about, NULL for none */
    uint32_t line;       /* 0: the file as a whole */
} bl_sarif_notice;

/* The notice (level error) for an error message "PATH:LINE: what" or
 * "PATH: what", located at the longest of paths[0..n) that the message
 * starts with (no location when none does); its text is msg, whole. */
bl_sarif_notice bl_sarif_notice_for_error(const char *msg, const char *const *paths, uint32_t n);

typedef struct bl_sarif_run {
    const bl_findings *findings; /* NULL: the run stopped before any finding */
    bl_sarif_locate_fn locate;
    bl_sarif_extend_fn extend;
    void *ctx;
    const bl_sarif_notice *notices;
    uint32_t nnotices;
    bool failed;   /* invocation.executionSuccessful is false: unusable input */
    int exit_code; /* invocation.exitCode */
} bl_sarif_run;

/* Writes the SARIF log of run.  Every result carries partialFingerprints
 * "bootlensFinding/v2": FNV-1a-64 (hex) of the finding id (rule and
 * subject: the services, devices, classes or groups it is about) and the
 * artifact URI it points at, never a line number, so it survives edits that
 * move lines. */
void bl_report_sarif(FILE *out, const bl_sarif_run *run);
/* A SARIF physicalLocation: the path as an artifact URI, the line if not 0. */
struct cJSON *bl_sarif_physical_location(const char *path, uint32_t line);
/* A SARIF suppression object (kind "inSource" or "external", status
 * "accepted"), located at path:line when path is given. */
struct cJSON *bl_sarif_suppression(bool in_source, const char *justification, const char *path, uint32_t line);
/* analyze: every result on the hive file (a binary artifact: the region is
 * the whole file; the registry keys are the logical locations). */
void bl_report_analyze_sarif(FILE *out, const bl_analysis *a, int exit_code);

/* ---- rule documentation (ruledoc.c) ---- */
typedef struct bl_rule_doc {
    const char *id;
    const char *what; /* what the finding means */
    const char *why;  /* why it can break boot */
    const char *fix;  /* how to fix it */
    const char *precision;         /* SARIF precision: very-high, high, medium, low */
    const char *security_severity; /* CVSS-like score for security rules, else NULL */
} bl_rule_doc;
/* The entry for rule id, NULL when there is none. */
const bl_rule_doc *bl_rule_doc_find(const char *id);
const bl_rule_doc *bl_rule_docs(uint32_t *n);
/* "filter-delays-device" -> "FilterDelaysDevice" (SARIF reportingDescriptor.name). */
void bl_rule_friendly_name(const char *id, bl_sb *out);
/* What it means, why it can break boot, how to fix, as plain text or markdown. */
void bl_rule_help(const bl_rule_doc *d, bool markdown, bl_sb *out);

/* `stack`: device stacks with each driver's slot. */
typedef struct bl_stack_query {
    const char *class_filter;  /* class name or GUID, NULL = all */
    const char *device_filter; /* instance id or substring, NULL = all */
    bool all;                  /* include devices that start with no filter involvement */
    bool verbose;              /* text: every device (else the first BL_TEXT_LIST_CAP, and a count) */
} bl_stack_query;

/* Text lists longer than this show their first entries and a count of the
 * rest (--verbose shows them all). */
#define BL_TEXT_LIST_CAP 20
/* True for a device `stack` shows by default: held back by a filter, not
 * starting, or with a filter in its stack. */
bool bl_stack_interesting(const bl_analysis *a, uint32_t dev);
/* Returns the number of devices shown. */
uint32_t bl_report_stack(FILE *out, const bl_analysis *a, const bl_stack_query *q, bl_format fmt);

/* DOT (Graphviz) pieces shared by stack and explain.  A picture draws at
 * most this many devices and says how many it left out. */
#define BL_DOT_MAX_DEVICES 24
/* Writes s inside a quoted DOT label: quotes and backslashes escaped (device
 * ids keep theirs), record field characters too when record, control
 * characters as spaces. */
void bl_dot_escape(FILE *out, const char *s, bool record);
/* The nodes and edges of the device stacks q selects (records, the device
 * tree, the filters that defer them), at most max_devices of them plus a
 * node counting the rest.  Returns the number selected. */
uint32_t bl_report_stack_dot_body(FILE *out, const bl_analysis *a, const bl_stack_query *q, uint32_t max_devices);

/* `explain`: a service or device in words (text), as JSON, or DOT.
 * Returns -1 when NAME is neither a service nor a device instance id. */
int bl_report_explain(FILE *out, const bl_analysis *a, const char *name, bl_format fmt, bool verbose);

/* `diff`: changes from analysis x to analysis y (text, JSON or HTML).
 * Returns the number of new (or more severe) findings at or above fail_on
 * (a bl_severity; 3 = none).  Text lists each section's first
 * BL_TEXT_LIST_CAP changes and a count of the rest unless verbose; its
 * findings are wrapped to width columns (0: not wrapped). */
uint32_t bl_report_diff(FILE *out, const bl_analysis *x, const bl_analysis *y, bl_format fmt, int fail_on,
                        bool verbose, unsigned width);

/* A boot driver that fails because a filter holds back a device it needs,
 * as the filter findings (filter-delays-device, nonboot-filter-on-boot-
 * class) record it (bl_finding.breakages), resolved to model indices. */
typedef struct bl_break {
    uint32_t svc;     /* the driver that fails */
    uint32_t dev;     /* the held-back device it needs, BL_NONE if not named */
    uint32_t filter;  /* the filter holding it back (the finding's subject) */
    uint32_t via[8];  /* the services its call chain goes through, in order */
    uint32_t nvia;
    uint32_t finding; /* index in a->findings */
} bl_break;
/* Every such driver of a's findings; *out is malloc'd (caller frees). */
uint32_t bl_report_breaks(const bl_analysis *a, bl_break **out);

/* Small text helpers shared by reports. */
/* open_memstream(buf, len), or exit as on memory exhaustion. */
FILE *bl_memstream(char **buf, size_t *len);
/* A FILETIME as ISO 8601 UTC ("2024-03-05T10:22:13Z"). */
void bl_filetime_text(uint64_t filetime, bl_sb *sb);
/* "ERROR", "WARNING", "info", in ANSI colours if color. */
const char *bl_severity_label(bl_severity s, bool color);
/* What a replay applied, for a sentence: "2 new-format log entries (3
 * pages) from 1 log", "64 pages from 1 old-format log". */
void bl_recovery_text(const bl_recovery *r, bl_sb *sb);
/* text as words wrapped to width columns (0: no wrapping): the cursor is at
 * column col already; every further line (wrapped, or after a '\n' in
 * text) starts with indent.  Words longer than a line are never broken, so
 * a registry path or a device id stays copyable.  Ends with a newline. */
void bl_print_wrapped(FILE *out, const char *text, size_t col, const char *indent, unsigned width);
/* Each line of text, prefixed with indent. */
void bl_print_indented(FILE *out, const char *text, const char *indent);
void bl_service_image(const bl_model *m, uint32_t svc, bl_sb *sb);
const char *bl_type_name(const bl_service *s);
void bl_tag_text(const bl_service *s, uint32_t tag_index, bl_sb *sb);

/* ---- file-system filter stack (report/filters.c) ---- */
/* `filters`: the stack top first (fltmc style), its frames, the filters not
 * on it and how it was built; text or JSON. */
void bl_report_filters(FILE *out, const bl_analysis *a, bl_format fmt);
/* The "filter_stack" member of analyze's JSON (caller owns it). */
struct cJSON *bl_json_filter_stack(const bl_analysis *a);
/* ---- end of file-system filter stack ---- */

/* ---- HTML (report/html.c) ----
 * One self-contained page each (inline CSS and SVG, no script, nothing
 * fetched; prints): the answer first, then the boot timeline as SVG, then
 * tables.  Every string from the hive is escaped. */
struct bl_fix_plan;
/* `analyze`: findings, the merged fix (plan, may be NULL) and its .reg in
 * both forms, the timeline, device stacks, load order. */
void bl_report_analyze_html(FILE *out, const bl_analysis *a, const struct bl_fix_plan *plan);
/* `explain NAME`: the text explanation, the findings naming it, the
 * timeline with NAME highlighted, the stacks it is part of. */
void bl_report_explain_html(FILE *out, const bl_analysis *a, const char *name, const char *text);
/* `diff`: the text diff coloured by line, then both timelines. */
void bl_report_diff_html(FILE *out, const bl_analysis *x, const bl_analysis *y, const char *text);
/* ---- end of HTML ---- */

/* ---- fix file (report/fixes.c) ----
 * The fixes of an analysis as one plan to import: the first verified fix of
 * each error and warning, merged so that no fix undoes another — list
 * values (filters, dependencies) are merged as a three-way edit against
 * the hive's list, a fix whose other value disagrees with one already
 * taken is left out whole (skipped, with the reason). */
struct bl_fix_plan_state;
typedef struct bl_fix_plan {
    bl_change *changes; /* the merged changes, values of one key together */
    uint32_t nchanges, capchanges;
    uint32_t *chosen; /* indices of the findings whose first fix is in */
    uint32_t nchosen, capchosen;
    struct bl_fix_skip {
        uint32_t finding;
        char *reason;
    } *skipped;
    uint32_t nskipped, capskipped;
    char *verification; /* what re-simulating the whole plan showed (set by the caller), or NULL */
    struct bl_fix_plan_state *state;
} bl_fix_plan;
/* Builds the plan of findings f over the unfixed model m (interns the
 * merged list items in m's pool). */
void bl_fix_plan_build(bl_fix_plan *p, const bl_model *m, const bl_findings *f);
void bl_fix_plan_free(bl_fix_plan *p);
/* The key the changes go below: HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet
 * for the running system, HKEY_LOCAL_MACHINE\OFFLINE\ControlSetNNN (the
 * analyzed set) for the hive loaded offline under HKLM\OFFLINE. */
void bl_fix_plan_root(const bl_model *m, bool offline, bl_sb *out);
/* The merged changes as .reg text below that root. */
void bl_fix_plan_changes_reg(const bl_fix_plan *p, const bl_model *m, bool offline, bl_sb *out);
/* The whole importable file: header, comments (what it fixes, how to
 * import it, what was left out and why, the verification), the changes.
 * name is the file's own name for the instructions. */
void bl_fix_plan_file(const bl_fix_plan *p, const bl_analysis *a, bool offline, const char *name, bl_sb *out);
/* ---- end of fix file ---- */

/* ---- lint (report/lint.c) ---- */
#include "bootlens/inf.h"

/* A lint run as the reports show it. */
typedef struct bl_lint_report {
    const bl_lint_result *result;
    const char *baseline;      /* the --baseline path, or NULL for the built-in one */
    const bl_inf *const *infs;
    uint32_t ninfs;
    const bl_inf_target *target;
    /* The JSON envelope's inputs (the baseline, with its logs, the INFs,
     * knowledge files), built by the caller, who read them; copied into
     * the report.  NULL: none. */
    const struct cJSON *inputs;
} bl_lint_report;

/* Text: each new finding with the INF line that causes it first, its
 * related lines and verified fixes (with the INF edit they mean), the
 * suppressed ones apart with their reasons, then what the INFs did;
 * --verbose adds every write and the .reg equivalent. */
void bl_report_lint_text(FILE *out, const bl_lint_report *r, const bl_text_options *o);
/* JSON: findings with inf_file/inf_line/related and their suppressions,
 * the writes with their provenance and the .reg equivalent, devices
 * matched, diagnostics. */
void bl_report_lint_json(FILE *out, const bl_lint_report *r);
/* SARIF 2.1.0 (bl_report_sarif): results on the INF file and line,
 * relatedLocations for the other lines, the INF edit in the message,
 * suppressions, the parser's and apply's diagnostics as notifications. */
void bl_report_lint_sarif(FILE *out, const bl_lint_report *r, int exit_code);

/* One INF change judged against many baselines ("fleet"). */
typedef struct bl_lint_baseline {
    const char *path;   /* NULL: the built-in baseline */
    char *error;        /* why it could not be used, or NULL */
    char *control_set;  /* the control set linted */
    bl_lint_result result; /* without error: shrunk (bl_lint_result_shrink) */
} bl_lint_baseline;

typedef struct bl_lint_fleet {
    const bl_lint_baseline *baselines;
    uint32_t n;
    const bl_inf *const *infs; /* parsed once more for the report (names, parser warnings) */
    uint32_t ninfs;
    const bl_inf_target *target;
    int fail_on; /* bl_severity, 3 = never */
    const struct cJSON *inputs; /* as bl_lint_report's: every baseline's, the INFs, knowledge files */
} bl_lint_fleet;

/* Text: the verdict first ("breaks boot on 3 of 1,200 configurations"),
 * each finding once with the baselines it appears on, then one line per
 * baseline with its findings. */
void bl_report_lint_fleet_text(FILE *out, const bl_lint_fleet *f, const bl_text_options *o);
/* JSON: summary, per baseline its status and findings (as single lint),
 * and per finding the baselines it appears on. */
void bl_report_lint_fleet_json(FILE *out, const bl_lint_fleet *f);
/* SARIF: one result per distinct finding (its id), the baselines it
 * appears on as properties and related locations; unusable baselines as
 * error notifications. */
void bl_report_lint_fleet_sarif(FILE *out, const bl_lint_fleet *f, int exit_code);
/* The exit status the fleet earns: 2 when a baseline was unusable, else 1
 * when any baseline has an unsuppressed new finding at fail_on, else 0. */
int bl_lint_fleet_exit(const bl_lint_fleet *f);
/* ---- end of lint ---- */

#endif
