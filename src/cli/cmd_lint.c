/* cmd_lint.c — `bootlens lint [--baseline HIVE] INF...`: the INF what-if
 * for CI.  Parses the INFs (a parser error is one FILE:LINE line, exit 2),
 * loads the baseline (a SYSTEM hive, a regedit-style text, or the built-in
 * Windows 10 baseline), lints (inf/lint.c) and reports the findings the INFs
 * introduce; exit 1 when one reaches --fail-on. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Whether path holds a regf hive (else it is read as regedit text when it
 * looks like one). */
static int baseline_kind(const char *path, bool *text, bl_error *err)
{
    uint8_t *head;
    size_t n;
    struct stat st;
    if (strchr(path, '#') && stat(path, &st) != 0) {
        *text = false; /* a hive inside a disk image: IMAGE#SYSTEM (cli/source.c) */
        return 0;
    }
    if (bl_read_file_head(path, 512, &head, &n, err) != 0)
        return -1;
    *text = !(n >= 4 && memcmp(head, "regf", 4) == 0) && bl_regtext_detect(head, n);
    free(head);
    return 0;
}

typedef struct lint_run {
    bl_output *output; /* open until the report is written */
    bl_inputs *inputs;
    bl_session session; /* when the baseline is a hive */
    bl_model *model;    /* otherwise */
    bl_knowledge *knowledge;
    bl_inf **infs;
    uint32_t ninfs;
    bl_lint_result result;
} lint_run;

static void lint_run_free(lint_run *r)
{
    if (r->output && r->output->path)
        bl_output_abort(r->output);
    bl_inputs_free(r->inputs);
    bl_lint_result_free(&r->result);
    for (uint32_t i = 0; i < r->ninfs; i++)
        bl_inf_free(r->infs[i]);
    free(r->infs);
    bl_model_free(r->model);
    bl_knowledge_free(r->knowledge);
    bl_session_close(&r->session);
}

static int lint_fail(lint_run *r, const char *msg)
{
    int rc = bl_input_error(msg);
    lint_run_free(r);
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
    bl_inf_target target;
    bl_inf_target_init(&target);
    if (c.arch && bl_inf_parse_arch(c.arch, &target.arch) != 0)
        return bl_usage_error(c.cmd_name, "--arch must be x86, amd64, ia64, arm or arm64");
    if (c.os_version && !parse_os_version(c.os_version, &target))
        return bl_usage_error(c.cmd_name, "--os-version must be MAJOR.MINOR[.BUILD], e.g. 10.0.19041");
    bl_inf_options io;
    bl_inf_options_init(&io);
    if (c.lang && !parse_langid(c.lang, &io.langid))
        return bl_usage_error(c.cmd_name, "--lang must be a LANGID in hex, e.g. 0407");

    bl_inputs in;
    bl_output dest;
    if ((rc = bl_cli_report_open(&c, &in, &dest)) != 0)
        return rc;
    lint_run r;
    memset(&r, 0, sizeof r);
    r.output = &dest;
    r.inputs = &in;
    bl_error err = {{0}};
    r.infs = bl_xcalloc((size_t)c.nargs, sizeof *r.infs);
    for (int i = 0; i < c.nargs; i++) {
        r.infs[r.ninfs] = bl_inf_parse_file(c.args[i], &io, &err);
        if (!r.infs[r.ninfs])
            return lint_fail(&r, err.msg);
        r.ninfs++;
        /* The parser takes an empty text as an INF without sections; to lint
         * it would be to pass a file that installs nothing ("no new finding"). */
        if (bl_inf_section_count(r.infs[r.ninfs - 1]) == 0) {
            bl_error_set(&err, "%s: no [section] in it (empty, or only a byte-order mark, comments or NUL "
                               "padding): not an INF",
                         c.args[i]);
            return lint_fail(&r, err.msg);
        }
    }

    const bl_model *baseline;
    const bl_hive_info *hive = NULL;
    bl_sim_options sim = {c.has_boot_flags, c.boot_flags, c.boot_fs};
    bl_load_options lo = {c.control_set};
    bool text = false;
    if (c.baseline && baseline_kind(c.baseline, &text, &err) != 0)
        return lint_fail(&r, err.msg);
    if (c.baseline && !text) {
        if (bl_session_load(&r.session, &c, c.baseline, false, NULL, &err) != 0)
            return lint_fail(&r, err.msg);
        baseline = r.session.model;
        hive = bl_hive_get_info(r.session.hive);
    } else {
        r.model = bl_model_new(NULL);
        int lrc = c.baseline ? bl_model_load_regtext_file(r.model, c.baseline, &lo, &err)
                             : bl_model_load_builtin_baseline(r.model, &err);
        if (lrc != 0)
            return lint_fail(&r, err.msg);
        baseline = r.model;
    }
    r.knowledge = bl_cli_knowledge(&c, &err);
    if (!r.knowledge)
        return lint_fail(&r, err.msg);

    bl_lint_options lopt = {target, r.knowledge, &sim, hive, c.no_fixes};
    if (bl_lint_run(baseline, (const bl_inf *const *)r.infs, r.ninfs, &lopt, &r.result, &err) != 0)
        return lint_fail(&r, err.msg);

    FILE *out = dest.fp;
    bl_lint_report rep = {&r.result, c.baseline, (const bl_inf *const *)r.infs, r.ninfs, &target};
    if (c.format == BL_FMT_JSON) {
        bl_report_lint_json(out, &rep);
    } else if (c.format == BL_FMT_SARIF) {
        bl_report_lint_sarif(out, &rep);
    } else {
        bl_text_options o = {c.verbose, c.color, c.width};
        bl_report_lint_text(out, &rep, &o);
    }
    int wrc = bl_cli_output_commit(&dest, &in);
    rc = wrc ? wrc : bl_exit_for(&c, &r.result.findings);
    lint_run_free(&r);
    return rc;
}
