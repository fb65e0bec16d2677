/* cmd_lint.c — `bootlens lint [--baseline HIVE|DIR]... INF...`: the INF
 * what-if for CI.  Parses the INFs (a parser error is one FILE:LINE line,
 * exit 2), loads each baseline (a SYSTEM hive, a regedit-style text, or the
 * built-in Windows 10 baseline), lints (inf/lint.c) and reports the findings
 * the INFs introduce; exit 1 when one that no suppression covers reaches
 * --fail-on.  Several baselines (repeated --baseline, or directories) are
 * linted in parallel (-j) and reported as a fleet: which configurations the
 * change breaks.  With --format sarif an unusable input still produces a
 * valid log, its error a notification at the file and line, so that a CI
 * upload step annotates the INF instead of failing on a missing file. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* MAJOR.MINOR[.BUILD] into the target. */
static bool parse_os_version(const char *s, bl_inf_target *t)
{
    unsigned long v[3] = {0, 0, 0};
    int n = 0;
    const char *p = s;
    while (n < 3) {
        char *end;
        if (*p < '0' || *p > '9')
            return false;
        v[n++] = strtoul(p, &end, 10);
        if (v[n - 1] > 0xFFFFFFFFul)
            return false;
        if (*end == '\0')
            break;
        if (*end != '.')
            return false;
        p = end + 1;
    }
    if (n < 2 || (n == 3 && *p && strchr(p, '.')))
        return false;
    t->major = (uint32_t)v[0];
    t->minor = (uint32_t)v[1];
    t->build = n == 3 ? (uint32_t)v[2] : 0;
    return true;
}

/* A LANGID as Windows writes it in [Strings.0407]: hex, 0x optional. */
static bool parse_langid(const char *s, uint16_t *out)
{
    if (s[0] == '0' && (s[1] | 0x20) == 'x')
        s += 2;
    char *end;
    unsigned long v = strtoul(s, &end, 16);
    if (!*s || *end || v == 0 || v > 0xFFFF)
        return false;
    *out = (uint16_t)v;
    return true;
}

/* Whether path holds a regf hive or a disk image (else it is read as
 * regedit text when it looks like one). */
static int baseline_kind(const char *path, bool *text, bl_error *err)
{
    struct stat st;
    if (strchr(path, '#') && stat(path, &st) != 0) {
        *text = false; /* a hive inside a disk image: IMAGE#SYSTEM (cli/source.c) */
        return 0;
    }
    uint8_t *head;
    size_t n;
    if (bl_read_file_head(path, 512, &head, &n, err) != 0)
        return -1;
    /* A VMDK descriptor ("# Disk DescriptorFile") starts like a commented
     * .reg file: images are told first. */
    bl_error ignored;
    *text = !(n >= 4 && memcmp(head, "regf", 4) == 0) && bl_regtext_detect(head, n) &&
            bl_image_probe(path, &ignored) == 0;
    free(head);
    return 0;
}

/* Everything the lint of one baseline needs, shared read-only by the
 * workers of a fleet run. */
typedef struct lint_inputs {
    const bl_cli *c;
    bl_inf_options io;
    bl_inf_target target;
    uint8_t **inf_data; /* each INF's bytes, read once: every worker parses the same text */
    size_t *inf_size;
    uint32_t ninfs;
    bl_knowledge *knowledge;
    bl_suppressions suppressions;
    bl_sim_options sim;
} lint_inputs;

static void inputs_free(lint_inputs *in)
{
    for (uint32_t i = 0; i < in->ninfs; i++)
        free(in->inf_data[i]);
    free(in->inf_data);
    free(in->inf_size);
    bl_knowledge_free(in->knowledge);
    bl_suppressions_free(&in->suppressions);
}

static void infs_free(bl_inf **infs, uint32_t n)
{
    for (uint32_t i = 0; infs && i < n; i++)
        bl_inf_free(infs[i]);
    free(infs);
}

/* A parsed copy of the INFs.  Each worker has its own: a parsed INF keeps
 * a per-target memo of its section lookups, so it is not shared between
 * threads.  NULL with err on a parser error. */
static bl_inf **parse_infs(const lint_inputs *in, bl_error *err)
{
    bl_inf **infs = bl_xcalloc(in->ninfs ? in->ninfs : 1, sizeof *infs);
    for (uint32_t i = 0; i < in->ninfs; i++) {
        infs[i] = bl_inf_parse_mem(in->c->args[i], in->inf_data[i], in->inf_size[i], &in->io, err);
        if (!infs[i]) {
            infs_free(infs, i);
            return NULL;
        }
        /* The parser takes an empty text as an INF without sections; to lint
         * it would be to pass a file that installs nothing ("no new finding"). */
        if (bl_inf_section_count(infs[i]) == 0) {
            bl_error_set(err, "%s: no [section] in it (empty, or only a byte-order mark, comments or NUL "
                              "padding): not an INF",
                         in->c->args[i]);
            infs_free(infs, i + 1);
            return NULL;
        }
    }
    return infs;
}

/* Lints the INFs against baseline b->path (NULL: built-in); fills b.  With
 * shrink, keeps only what a fleet report needs.  With inputs (JSON), adds
 * the baseline's files to it (a hive with its logs, or the regedit text).
 * -1 with err when the baseline or the INFs' application cannot be used. */
/* The files the baselines' disk images were read from (segments, extents,
 * parents): outputs are checked against them too.  Workers of a fleet add
 * under the lock. */
static bl_inputs image_files;
static pthread_mutex_t image_files_lock = PTHREAD_MUTEX_INITIALIZER;

static int lint_baseline(const lint_inputs *in, bl_inf *const *infs, bl_lint_baseline *b, bool shrink,
                         cJSON *inputs, bl_error *err)
{
    const bl_cli *c = in->c;
    bool text = false;
    if (b->path && baseline_kind(b->path, &text, err) != 0)
        return -1;
    bl_session session;
    memset(&session, 0, sizeof session);
    bl_model *model = NULL;
    const bl_model *baseline;
    const bl_hive_info *hive = NULL;
    if (b->path && !text) {
        if (bl_session_load(&session, c, b->path, false, NULL, err) != 0)
            return -1;
        baseline = session.model;
        hive = bl_hive_get_info(session.hive);
        if (session.source.image) {
            pthread_mutex_lock(&image_files_lock);
            bl_cli_inputs_add_source(&image_files, &session.source);
            pthread_mutex_unlock(&image_files_lock);
        }
        if (inputs)
            bl_json_add_analysis_inputs(inputs, &session.analysis, "baseline");
    } else {
        model = bl_model_new(NULL);
        bl_load_options lo = {c->control_set};
        int rc = b->path ? bl_model_load_regtext_file(model, b->path, &lo, err)
                         : bl_model_load_builtin_baseline(model, err);
        if (rc != 0) {
            bl_model_free(model);
            return -1;
        }
        baseline = model;
        if (inputs && b->path) {
            bl_file_digest d;
            bl_file_digest_compute(&d, "baseline", b->path);
            bl_json_add_file_inputs(inputs, &d, 1);
        }
    }
    bl_lint_options lopt = {in->target,  in->knowledge,     &in->sim, hive,
                            c->no_fixes, &in->suppressions, b->path};
    int rc = bl_lint_run(baseline, (const bl_inf *const *)infs, in->ninfs, &lopt, &b->result, err);
    if (rc == 0) {
        b->control_set = bl_xstrdup(bl_model_str(b->result.after, b->result.after->control_set_name));
        if (shrink)
            bl_lint_result_shrink(&b->result);
    }
    bl_model_free(model);
    bl_session_close(&session);
    return rc;
}

/* ---- the baselines ---- */

typedef struct baseline_list {
    char **paths; /* NULL entry: the built-in baseline */
    uint32_t n, cap;
    bool fleet; /* several, or a directory: report per baseline */
} baseline_list;

static void list_add(baseline_list *l, const char *p)
{
    bl_grow((void **)&l->paths, sizeof *l->paths, &l->cap, l->n + 1);
    l->paths[l->n++] = p ? bl_xstrdup(p) : NULL;
}

static void list_free(baseline_list *l)
{
    for (uint32_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a file found in a directory of baselines is one: a hive, regedit
 * text or a disk image (named on the command line, anything is tried, and
 * what fails is an unusable baseline). */
static bool could_be_baseline(const char *path)
{
    uint8_t *head;
    size_t n;
    bl_error err;
    if (bl_read_file_head(path, 512, &head, &n, &err) != 0)
        return true; /* unusable: said with the reason */
    bool yes = (n >= 4 && memcmp(head, "regf", 4) == 0) || bl_regtext_detect(head, n);
    free(head);
    return yes || bl_image_probe(path, &err) != 0;
}

/* A directory of baselines contributes its regular files in name order,
 * except transaction logs (they go with their hive), hidden files, and
 * with a note the later files of a split image (it is read through its
 * first) and files that are no baseline at all (notes, checksums). */
static int add_directory(baseline_list *l, const char *dir, bl_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        bl_error_set(err, "%s: %s", dir, strerror(errno));
        return -1;
    }
    uint32_t first = l->n;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        if (e->d_name[0] == '.' ||
            (dot && (bl_fold_eq(dot, ".LOG") || bl_fold_eq(dot, ".LOG1") || bl_fold_eq(dot, ".LOG2"))))
            continue;
        bl_sb p = {0};
        bl_sb_addf(&p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        struct stat st;
        const char *path = bl_sb_str(&p);
        bl_sb first_file = {0};
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            ;
        else if (bl_image_part_of(path, &first_file))
            fprintf(stderr, "bootlens: %s: skipped: a later file of the split image %s (read with it)\n",
                    path, bl_sb_str(&first_file));
        else if (!could_be_baseline(path))
            fprintf(stderr, "bootlens: %s: skipped: neither a registry hive, regedit text nor a disk image\n",
                    path);
        else
            list_add(l, path);
        bl_sb_free(&first_file);
        bl_sb_free(&p);
    }
    closedir(d);
    if (l->n == first) {
        bl_error_set(err,
                     "%s: no baseline in the directory (no hive, regedit text or disk image besides logs and "
                     "the later files of split images)",
                     dir);
        return -1;
    }
    qsort(l->paths + first, l->n - first, sizeof *l->paths, path_cmp);
    return 0;
}

static int expand_baselines(const bl_cli *c, baseline_list *l, bl_error *err)
{
    memset(l, 0, sizeof *l);
    if (!c->nbaselines) {
        list_add(l, NULL);
        return 0;
    }
    l->fleet = c->nbaselines > 1;
    for (int i = 0; i < c->nbaselines; i++) {
        struct stat st;
        if (stat(c->baselines[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            l->fleet = true;
            if (add_directory(l, c->baselines[i], err) != 0)
                return -1;
        } else {
            list_add(l, c->baselines[i]);
        }
    }
    return 0;
}

/* ---- output ---- */

typedef void (*render_fn)(FILE *out, const void *ctx);

/* Every file lint reads: the INFs, knowledge and suppressions files, each
 * baseline (a directory's files one by one) with the logs found beside it. */
static void lint_inputs_of(const bl_cli *c, const baseline_list *bl, bl_inputs *in)
{
    memset(in, 0, sizeof *in);
    bl_cli_inputs(c, in);
    for (uint32_t i = 0; bl && i < bl->n; i++)
        if (bl->paths[i])
            bl_cli_inputs_add_hive(in, bl->paths[i]);
    if (c->suppressions)
        bl_inputs_add(in, c->suppressions, "suppressions file");
}

/* Writes the report to -o FILE (through the output module: never over an
 * input, beside the target then renamed), or standard output: the one
 * place lint writes its output.  An exit status (2 with a one-line reason
 * already printed) when it cannot. */
static int write_output(const bl_cli *c, const baseline_list *bl, render_fn render, const void *ctx)
{
    bl_inputs in;
    lint_inputs_of(c, bl, &in);
    for (uint32_t i = 0; i < image_files.n; i++)
        bl_inputs_add(&in, image_files.v[i].path, "disk image file");
    bl_output o;
    int rc = bl_cli_output_open(c, c->output ? c->output : "-", &in, &o);
    if (!rc) {
        render(o.fp, ctx);
        rc = bl_cli_output_commit(&o, &in);
    }
    bl_inputs_free(&in);
    return rc;
}

typedef struct failed_run {
    const bl_sarif_notice *notice;
} failed_run;

static void render_failure(FILE *out, const void *ctx)
{
    const failed_run *f = ctx;
    bl_sarif_run run = {NULL, NULL, NULL, NULL, f->notice, 1, true, BL_EXIT_INPUT};
    bl_report_sarif(out, &run);
}

/* An input that cannot be used: one line on stderr and exit 2; with
 * --format sarif also a log whose invocation failed, with msg as an error
 * notification located at the input (and line) it names. */
static int unusable(const bl_cli *c, const baseline_list *bl, const char *msg)
{
    if (c->format != BL_FMT_SARIF)
        return bl_input_error(msg);
    const char **paths = bl_xcalloc((size_t)c->nargs + (bl ? bl->n : 0) + 2, sizeof *paths);
    uint32_t n = 0;
    for (int i = 0; i < c->nargs; i++)
        paths[n++] = c->args[i];
    for (uint32_t i = 0; bl && i < bl->n; i++)
        paths[n++] = bl->paths[i];
    for (int i = 0; !bl && i < c->nbaselines; i++)
        paths[n++] = c->baselines[i];
    paths[n++] = c->suppressions;
    bl_sarif_notice notice = bl_sarif_notice_for_error(msg, paths, n);
    failed_run fr = {&notice};
    /* The log first (the upload step needs it), then the reason; if the
     * log cannot be written, its own reason was printed already. */
    write_output(c, bl, render_failure, &fr);
    int rc = bl_input_error(msg);
    free(paths);
    return rc;
}

/* The envelope's inputs after the baselines': the INFs (the bytes read and
 * parsed), the suppressions file and the knowledge files. */
static void add_inf_inputs(const lint_inputs *in, cJSON *inputs)
{
    for (uint32_t i = 0; i < in->ninfs; i++) {
        uint8_t digest[BL_SHA256_SIZE];
        bl_sha256(in->inf_data[i], in->inf_size[i], digest);
        bl_json_add_input(inputs, "inf", in->c->args[i], in->c->args[i], (int64_t)in->inf_size[i], digest);
    }
    bl_digests dg = {0};
    if (in->c->suppressions)
        bl_digests_add(&dg, "suppressions", in->c->suppressions);
    bl_digests_add_knowledge(&dg, in->c);
    bl_json_add_file_inputs(inputs, dg.v, dg.n);
    bl_digests_free(&dg);
}

/* ---- one baseline ---- */

typedef struct single_report {
    const bl_cli *c;
    const bl_lint_report *rep;
    int exit_code;
} single_report;

static void render_single(FILE *out, const void *ctx)
{
    const single_report *s = ctx;
    if (s->c->format == BL_FMT_JSON) {
        bl_report_lint_json(out, s->rep);
    } else if (s->c->format == BL_FMT_SARIF) {
        bl_report_lint_sarif(out, s->rep, s->exit_code);
    } else {
        bl_text_options o = {s->c->verbose, s->c->color, s->c->width};
        bl_report_lint_text(out, s->rep, &o);
    }
}

static int lint_single(const lint_inputs *in, const baseline_list *bl)
{
    const bl_cli *c = in->c;
    bl_error err = {{0}};
    bl_inf **infs = parse_infs(in, &err);
    if (!infs)
        return unusable(c, bl, err.msg);
    bl_lint_baseline b;
    memset(&b, 0, sizeof b);
    b.path = bl->paths[0];
    cJSON *inputs = bl_cli_json(c) ? cJSON_CreateArray() : NULL;
    if (lint_baseline(in, infs, &b, false, inputs, &err) != 0) {
        cJSON_Delete(inputs);
        infs_free(infs, in->ninfs);
        return unusable(c, bl, err.msg);
    }
    if (inputs)
        add_inf_inputs(in, inputs);
    int rc = bl_lint_fails(&b.result, c->fail_on) ? BL_EXIT_FINDINGS : BL_EXIT_OK;
    bl_lint_report rep = {&b.result, b.path, (const bl_inf *const *)infs, in->ninfs, &in->target, inputs};
    single_report s = {c, &rep, rc};
    int wrc = write_output(c, bl, render_single, &s);
    if (wrc)
        rc = wrc;
    bl_lint_result_free(&b.result);
    free(b.control_set);
    cJSON_Delete(inputs);
    infs_free(infs, in->ninfs);
    return rc;
}

/* ---- many baselines ---- */

typedef struct fleet_run {
    const lint_inputs *in;
    bl_lint_baseline *baselines;
    cJSON **inputs; /* per baseline, its files (JSON only, else NULL) */
    uint32_t n;
    uint32_t next, done;
    pthread_mutex_t lock;
    bl_inf ***worker_infs; /* per worker, kept: the results point into them */
    uint32_t nworkers;
    bool progress;
} fleet_run;

typedef struct fleet_worker {
    fleet_run *run;
    uint32_t id;
} fleet_worker;

static void *fleet_work(void *arg)
{
    fleet_worker *w = arg;
    fleet_run *r = w->run;
    bl_error err = {{0}};
    bl_inf **infs = parse_infs(r->in, &err);
    r->worker_infs[w->id] = infs;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        uint32_t i = r->next < r->n ? r->next++ : UINT32_MAX;
        pthread_mutex_unlock(&r->lock);
        if (i == UINT32_MAX)
            return NULL;
        bl_lint_baseline *b = &r->baselines[i];
        /* The INFs parsed in the main thread already: a failure here means
         * they changed on disk meanwhile, which is reported per baseline. */
        cJSON *inputs = r->inputs ? cJSON_CreateArray() : NULL;
        if (!infs || lint_baseline(r->in, infs, b, true, inputs, &err) != 0) {
            b->error = bl_xstrdup(err.msg);
            /* What could not be used has no size or digest. */
            cJSON_Delete(inputs);
            inputs = r->inputs ? cJSON_CreateArray() : NULL;
            if (inputs && b->path)
                bl_json_add_input(inputs, "baseline", b->path, b->path, -1, NULL);
        }
        if (r->inputs)
            r->inputs[i] = inputs;
        pthread_mutex_lock(&r->lock);
        r->done++;
        if (r->progress)
            fprintf(stderr, "\r[%u/%u] %s\033[K", r->done, r->n, b->path ? b->path : "built-in");
        pthread_mutex_unlock(&r->lock);
    }
}

typedef struct fleet_report {
    const bl_cli *c;
    const bl_lint_fleet *fleet;
    int exit_code;
} fleet_report;

static void render_fleet(FILE *out, const void *ctx)
{
    const fleet_report *s = ctx;
    if (s->c->format == BL_FMT_JSON) {
        bl_report_lint_fleet_json(out, s->fleet);
    } else if (s->c->format == BL_FMT_SARIF) {
        bl_report_lint_fleet_sarif(out, s->fleet, s->exit_code);
    } else {
        bl_text_options o = {s->c->verbose, s->c->color, s->c->width};
        bl_report_lint_fleet_text(out, s->fleet, &o);
    }
}

static int lint_fleet(const lint_inputs *in, const baseline_list *bl)
{
    const bl_cli *c = in->c;
    bl_error err = {{0}};
    /* The report's copy; parsing first also refuses a bad INF once, before
     * any baseline is read. */
    bl_inf **infs = parse_infs(in, &err);
    if (!infs)
        return unusable(c, bl, err.msg);
    fleet_run r;
    memset(&r, 0, sizeof r);
    r.in = in;
    r.n = bl->n;
    r.baselines = bl_xcalloc(bl->n, sizeof *r.baselines);
    if (bl_cli_json(c))
        r.inputs = bl_xcalloc(bl->n, sizeof *r.inputs);
    for (uint32_t i = 0; i < bl->n; i++)
        r.baselines[i].path = bl->paths[i];
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t jobs = c->jobs ? (uint32_t)c->jobs : ncpu > 0 ? (uint32_t)ncpu : 1;
    if (jobs > bl->n)
        jobs = bl->n;
    r.worker_infs = bl_xcalloc(jobs, sizeof *r.worker_infs);
    r.progress = isatty(STDERR_FILENO) && bl->n > 1;
    pthread_mutex_init(&r.lock, NULL);
    pthread_t *th = bl_xcalloc(jobs, sizeof *th);
    fleet_worker *ws = bl_xcalloc(jobs, sizeof *ws);
    uint32_t started = 0;
    for (uint32_t i = 0; i < jobs; i++) {
        ws[i] = (fleet_worker){&r, i};
        if (pthread_create(&th[started], NULL, fleet_work, &ws[i]) == 0)
            started++;
        else
            break;
    }
    if (!started)
        fleet_work(&ws[0]);
    for (uint32_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    r.nworkers = started ? started : 1;
    if (r.progress)
        fputs("\r\033[K", stderr);

    cJSON *inputs = NULL;
    if (r.inputs) {
        inputs = cJSON_CreateArray();
        for (uint32_t i = 0; i < r.n; i++) {
            cJSON *e;
            while (r.inputs[i] && (e = cJSON_DetachItemFromArray(r.inputs[i], 0)))
                cJSON_AddItemToArray(inputs, e);
            cJSON_Delete(r.inputs[i]);
        }
        free(r.inputs);
        add_inf_inputs(in, inputs);
    }
    bl_lint_fleet fleet = {r.baselines, r.n, (const bl_inf *const *)infs, in->ninfs, &in->target, c->fail_on,
                           inputs};
    int rc = bl_lint_fleet_exit(&fleet);
    fleet_report s = {c, &fleet, rc};
    int wrc = write_output(c, bl, render_fleet, &s);
    if (wrc) {
        rc = wrc;
    } else if (rc == BL_EXIT_INPUT) {
        /* One line per distinct reason (an INF refused by every baseline
         * is said once). */
        for (uint32_t i = 0; i < r.n; i++) {
            bool said = false;
            for (uint32_t k = 0; k < i && !said; k++)
                said = r.baselines[k].error && r.baselines[i].error &&
                       strcmp(r.baselines[k].error, r.baselines[i].error) == 0;
            if (r.baselines[i].error && !said)
                bl_input_error(r.baselines[i].error);
        }
    }
    for (uint32_t i = 0; i < r.n; i++) {
        if (!r.baselines[i].error)
            bl_lint_result_free(&r.baselines[i].result);
        free(r.baselines[i].error);
        free(r.baselines[i].control_set);
    }
    free(r.baselines);
    cJSON_Delete(inputs);
    for (uint32_t i = 0; i < jobs; i++)
        infs_free(r.worker_infs[i], in->ninfs);
    free(r.worker_infs);
    free(th);
    free(ws);
    pthread_mutex_destroy(&r.lock);
    infs_free(infs, in->ninfs);
    return rc;
}

int cmd_lint(int argc, char **argv)
{
    bl_cli c;
    int rc = bl_cli_parse(&c, CMD_LINT, "lint", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs < 1)
        return bl_usage_error(c.cmd_name, "expected at least one INF");
    lint_inputs in;
    memset(&in, 0, sizeof in);
    in.c = &c;
    bl_inf_target_init(&in.target);
    if (c.arch && bl_inf_parse_arch(c.arch, &in.target.arch) != 0)
        return bl_usage_error(c.cmd_name, "--arch must be x86, amd64, ia64, arm or arm64");
    if (c.os_version && !parse_os_version(c.os_version, &in.target))
        return bl_usage_error(c.cmd_name, "--os-version must be MAJOR.MINOR[.BUILD], e.g. 10.0.19041");
    bl_inf_options_init(&in.io);
    if (c.lang && !parse_langid(c.lang, &in.io.langid))
        return bl_usage_error(c.cmd_name, "--lang must be a LANGID in hex, e.g. 0407");
    in.sim = (bl_sim_options){c.has_boot_flags, c.boot_flags, c.boot_fs};

    bl_error err = {{0}};
    baseline_list bl;
    if (expand_baselines(&c, &bl, &err) != 0) {
        rc = unusable(&c, NULL, err.msg);
        list_free(&bl);
        return rc;
    }
    if (bl.fleet && c.nlogs) {
        list_free(&bl);
        return bl_usage_error(c.cmd_name, "--log names the logs of one hive; with several baselines each "
                                          "hive's logs are found beside it");
    }
    in.inf_data = bl_xcalloc((size_t)c.nargs, sizeof *in.inf_data);
    in.inf_size = bl_xcalloc((size_t)c.nargs, sizeof *in.inf_size);
    for (int i = 0; i < c.nargs && !rc; i++) {
        /* One byte past the bound: the parser refuses an oversized INF at
         * the line where it crosses it. */
        if (bl_read_file_head(c.args[i], (size_t)BL_INF_MAX_FILE_BYTES + 1, &in.inf_data[i], &in.inf_size[i],
                              &err) != 0)
            rc = -1;
        else
            in.ninfs++;
    }
    if (!rc && c.suppressions && bl_suppressions_load(&in.suppressions, c.suppressions, &err) != 0)
        rc = -1;
    if (!rc && !(in.knowledge = bl_cli_knowledge(&c, &err)))
        rc = -1;
    if (rc)
        rc = unusable(&c, &bl, err.msg);
    else
        rc = bl.fleet ? lint_fleet(&in, &bl) : lint_single(&in, &bl);
    inputs_free(&in);
    list_free(&bl);
    return rc;
}
