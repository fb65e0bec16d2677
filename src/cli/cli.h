/* cli.h — shared pieces of the command-line front end: the option table
 * (one place documents every option and generates --help and the man page),
 * parsed options, and the common "open hive, build model, simulate" step. */
#ifndef BOOTLENS_CLI_H
#define BOOTLENS_CLI_H

#include "bootlens/hive.h"
#include "bootlens/image.h"
#include "bootlens/model.h"
#include "bootlens/report.h"
#include "bootlens/rules.h"
#include "bootlens/sim.h"

#define BL_EXIT_OK 0
#define BL_EXIT_FINDINGS 1
#define BL_EXIT_INPUT 2

enum bl_cmd {
    CMD_ANALYZE = 1u << 0,
    CMD_ORDER = 1u << 1,
    CMD_STACK = 1u << 2,
    CMD_EXPLAIN = 1u << 3,
    CMD_FILTERS = 1u << 4,
    CMD_LINT = 1u << 5,
    CMD_RECOVER = 1u << 6,
    CMD_DIFF = 1u << 7,
    CMD_LS = 1u << 8,
};
#define CMD_HIVE_READERS (CMD_ANALYZE | CMD_ORDER | CMD_STACK | CMD_EXPLAIN | CMD_FILTERS | CMD_DIFF | CMD_LINT)
/* Commands that take a disk image as their source (source.c). */
#define CMD_IMAGE_READERS (CMD_HIVE_READERS | CMD_RECOVER | CMD_LS)
#define CMD_ALL 0x1FFu
/* Every command writes a report or a file: -o and --force for all. */
#define CMD_ALL_REPORTS CMD_ALL

#define BL_MAX_ARGS 4096
#define BL_MAX_BASELINES 4096
/* Per-hive budgets of a fleet run (batch.c): a hive this slow or this large
 * in memory is stopped and reported, and the rest of the fleet goes on. */
#define BL_DEFAULT_HIVE_TIMEOUT 60
#define BL_DEFAULT_HIVE_MEMORY 1024

typedef struct bl_cli {
    unsigned cmd;
    const char *cmd_name;
    /* positional arguments */
    const char *args[BL_MAX_ARGS];
    int nargs;
    /* options */
    const char *control_set;
    bool no_recovery;
    const char *logs[BL_MAX_LOGS];
    size_t nlogs;
    bl_format format;
    bool format_set;
    int fail_on; /* bl_severity, or 3 = never */
    bl_phase_filter phase;
    const char *class_filter;
    const char *device_filter;
    bool all;
    const char *knowledge[16];
    int nknowledge;
    bool has_boot_flags;
    uint32_t boot_flags;
    const char *boot_fs;
    uint8_t windows; /* --windows: enum bl_windows, BL_WIN_UNKNOWN = tell from the hive */
    const char *output;
    const char *baseline; /* the first --baseline */
    const char *baselines[BL_MAX_BASELINES];
    int nbaselines;
    const char *suppressions;
    bool force; /* --force: an output may replace an existing file (never an input) */
    const char *arch;
    const char *os_version;
    const char *lang;
    bool verbose;
    bool color;
    bool color_set; /* --color or --no-color given */
    unsigned width; /* text is wrapped to this many columns */
    bool no_fixes;
    int jobs;
    bool recursive;   /* -r: a directory's subdirectories are part of the fleet */
    int hive_timeout; /* batch: seconds per hive, 0 = none */
    int hive_memory;  /* batch: MB resident per hive, 0 = none */
    bool summary;
    bool libregf_reader;
    bool timings;
    const char *control_set_b;
    const char *fix_out;
    /* disk images (source.c) */
    const char *volume;
    const char *installation;
    bool hash_image;
} bl_cli;

/* Parses argv (after the command name).  Returns 0, or prints a one-line
 * usage error and returns BL_EXIT_INPUT.  Handles --help itself (returns -1
 * after printing help). */
int bl_cli_parse(bl_cli *c, unsigned cmd, const char *cmd_name, int argc, char **argv);
void bl_cli_usage(FILE *out, unsigned cmd);
void bl_cli_print_help(FILE *out);
void bl_cli_print_man(FILE *out);
void bl_cli_print_bash_completion(FILE *out);
const char *bl_cli_version(void);
/* The width text output wraps to: COLUMNS, else the terminal's, else 100. */
unsigned bl_cli_width(void);
/* Levenshtein distance ignoring ASCII case, or max + 1 once it exceeds max. */
unsigned bl_edit_distance(const char *a, const char *b, unsigned max);
/* How far a mistyped name may be from the one meant (by its length). */
unsigned bl_suggest_max(const char *typed);
/* The command a mistyped one probably meant, or NULL. */
const char *bl_cli_suggest_command(const char *typed);

/* A loaded hive with its model and timeline. */
/* Wall-clock milliseconds spent in each stage (--timings). */
typedef struct bl_stage_times {
    double open, model, sim, rules, output;
} bl_stage_times;
double bl_now_ms(void);

/* Where a hive argument led (source.c): nothing more for a hive file; for
 * a disk image, the opened image and the evidence facts the reports show. */
typedef struct bl_source {
    bl_image *image;
    bl_image_source evidence;
    char *path;         /* the hive's path on its volume, as spelled */
    char *installation; /* its Windows directory, or NULL */
    char *unreadable;   /* what of the hive could not be read from the image, or NULL */
} bl_source;

/* Opens the hive a HIVE argument names (see source.c for the syntax): a
 * hive file through bl_hive_open, or a hive inside a disk image, read with
 * its logs and handed to bl_hive_open_bytes under its origin.  Fills src
 * (close it with bl_source_close, after the hive).  -1 with err. */
int bl_source_open_hive(const bl_cli *c, const char *arg, const bl_hive_options *ho, bl_hive **hive,
                        bl_source *src, bl_error *err);
void bl_source_close(bl_source *src);
/* Splits "IMAGE#SPEC" (an existing file is never split): the path
 * (malloc'd) and the spec after '#' or NULL.  Returns whether it split. */
int bl_source_split(const char *arg, char **path, const char **spec);
/* Opens an image read-only and, with --hash-image, starts hashing it. */
int bl_source_open_image(const bl_cli *c, const char *path, bl_image **img, bl_error *err);
/* Whether path is one of the files the source's image is made of. */
bool bl_source_is_input(const bl_source *src, const char *path);

/* Files digested for the JSON envelope's inputs (those no module hashed as
 * it read them: knowledge files, INFs, text baselines). */
typedef struct bl_digests {
    bl_file_digest *v;
    uint32_t n, cap;
} bl_digests;
void bl_digests_add(bl_digests *d, const char *role, const char *path);
/* The --knowledge files, when the output is JSON (nothing otherwise). */
void bl_digests_add_knowledge(bl_digests *d, const bl_cli *c);
void bl_digests_free(bl_digests *d);
/* Whether c's output lists its inputs (JSON or JSONL). */
bool bl_cli_json(const bl_cli *c);

typedef struct bl_session {
    bl_stage_times times;
    bl_source source;
    bl_hive *hive;
    bl_model *model;
    bl_timeline *timeline;
    bl_knowledge *knowledge;
    bl_sim_options sim;
    bl_findings findings;
    bl_digests digests; /* analysis.files */
    bl_analysis analysis;
} bl_session;

/* Where a report goes: the output (-o or standard output) and the inputs
 * it is checked against. */
typedef struct bl_report_dest {
    bl_inputs in;
    bl_output out;
} bl_report_dest;

/* Opens HIVE, builds the model and simulates; with rules, runs the rules.
 * Prints a one-line reason and returns BL_EXIT_INPUT on unusable input. */
int bl_session_open(bl_session *s, const bl_cli *c, const char *path, bool rules);
/* The start of a command that reads one HIVE (order, stack, explain,
 * filters): parses its options, checks it got `nargs` arguments (usage error
 * `expected` otherwise), opens the hive (with `rules`, the rules too but not
 * the fix search: fixes are analyze's job), opens the output (-o, else
 * standard output) in *d and, for text, prints there where the hive came
 * from.  True with s and d open; false with the exit status in *status (0
 * after --help). */
bool bl_cli_open_hive_command(bl_cli *c, bl_session *s, bl_report_dest *d, int cmd, const char *name,
                              int argc, char **argv, int nargs, const char *expected, bool rules,
                              int *status);
/* The end of such a command: status BL_EXIT_INPUT drops the output, any
 * other commits it (-o renamed into place); closes the session.  Returns
 * status, or BL_EXIT_INPUT when the output could not be written. */
int bl_cli_close_hive_command(bl_session *s, bl_report_dest *d, int status);
/* For text reports that do not name their hive: "bootlens: ORIGIN" and the
 * evidence lines when it came from a disk image, nothing otherwise. */
void bl_session_print_origin(FILE *out, const bl_session *s);
/* The same without printing: -1 with err.  `shared` knowledge (read-only,
 * may be used by several threads) replaces loading it per session. */
int bl_session_load(bl_session *s, const bl_cli *c, const char *path, bool rules,
                    const bl_knowledge *shared, bl_error *err);
/* The built-in knowledge plus --knowledge files; NULL with err. */
bl_knowledge *bl_cli_knowledge(const bl_cli *c, bl_error *err);
void bl_session_close(bl_session *s);
/* Exit status for findings against --fail-on. */
int bl_exit_for(const bl_cli *c, const bl_findings *f);
/* Reports an input error: "bootlens: MESSAGE" on stderr. */
int bl_input_error(const char *msg);
/* A usage mistake: one line naming the command. */
int bl_usage_error(const char *cmd, const char *what);

/* ---- fixes to import (fixout.c) ---- */
/* Applies the whole plan to a copy of the session's model, simulates and
 * runs the rules again, and sets p->verification to what that showed. */
void bl_fix_plan_verify(bl_fix_plan *p, const bl_session *s);
/* The offline form's file name beside the running form's: FIX.reg ->
 * FIX-offline.reg (caller frees). */
char *bl_fix_offline_path(const char *path);
/* Writes --fix-out's two files.  Returns 0, or prints the reason and
 * returns BL_EXIT_INPUT. */
int bl_write_fix_files(const bl_cli *c, const bl_session *s, const bl_fix_plan *p);
/* ---- outputs (output.c) ----
 * Every file a command writes is opened with bl_cli_output_open (checked
 * against every input, written beside the target, renamed at commit; see
 * bl_output_open in util.h) and finished with bl_cli_output_commit, or
 * dropped with bl_output_abort.  Both print the one-line reason and return
 * BL_EXIT_INPUT on failure, 0 otherwise. */
/* Every input of the command line: hive arguments (INFs for lint) with the
 * logs found beside each, --log, --knowledge, --baseline and its logs. */
void bl_cli_inputs(const bl_cli *c, bl_inputs *in);
/* Adds a hive found in a directory (batch), with its logs. */
void bl_cli_inputs_add_hive(bl_inputs *in, const char *path);
/* Adds every file an open image source is made of (segments, extents, a
 * differencing parent): checked again when an output is committed. */
void bl_cli_inputs_add_source(bl_inputs *in, const bl_source *src);
/* path "-" is standard output; c->force allows replacing a file. */
int bl_cli_output_open(const bl_cli *c, const char *path, const bl_inputs *in, bl_output *o);
int bl_cli_output_commit(bl_output *o, const bl_inputs *in);
/* The usual pair: the command's inputs into *in, and -o (standard output
 * without it) opened against them; on failure *in is already released. */
int bl_cli_report_open(const bl_cli *c, bl_inputs *in, bl_output *o);

int cmd_analyze(int argc, char **argv);
int cmd_order(int argc, char **argv);
int cmd_stack(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_filters(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_ls(int argc, char **argv);

#endif
