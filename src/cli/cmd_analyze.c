/* cmd_analyze.c — `bootlens analyze HIVE`: simulate the boot and report
 * what goes wrong, why, and the verified fix.  Several hives (or a
 * directory) go to the batch runner (batch.c). */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int bl_analyze_batch(const bl_cli *c);

static void write_report(FILE *out, const bl_cli *c, const bl_session *s, const bl_fix_plan *plan, int exit_code)
{
    switch (c->format) {
    case BL_FMT_HTML:
        bl_report_analyze_html(out, &s->analysis, plan);
        break;
    case BL_FMT_JSON:
        bl_report_analyze_json(out, &s->analysis);
        break;
    case BL_FMT_JSONL:
        bl_json_print(out, bl_json_analysis(&s->analysis), true);
        break;
    case BL_FMT_SARIF:
        bl_report_analyze_sarif(out, &s->analysis, exit_code);
        break;
    default: {
        bl_text_options o = {c->verbose, c->color, c->width};
        bl_report_analyze_text(out, &s->analysis, &o);
    }
    }
}

int cmd_analyze(int argc, char **argv)
{
    bl_cli c;
    int rc = bl_cli_parse(&c, CMD_ANALYZE, "analyze", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs < 1) 
        return bl_usage_error(c.cmd_name, "expected at least one HIVE");
    /* A directory is a fleet, with or without -j; one hive is one report,
     * -j or not. */
    struct stat st;
    bool batch = c.nargs > 1 || c.summary || c.format == BL_FMT_JSONL ||
                 (stat(c.args[0], &st) == 0 && S_ISDIR(st.st_mode));
    if (c.fix_out && (batch || c.no_fixes))
        return bl_usage_error(c.cmd_name, batch ? "--fix-out takes one HIVE" : "--fix-out needs the fix search (without --no-fixes)");
    if (batch && c.format == BL_FMT_HTML)
        return bl_usage_error(c.cmd_name, "--format html takes one HIVE");
    if (batch && c.format == BL_FMT_SARIF)
        return bl_usage_error(
            c.cmd_name, "--format sarif takes one HIVE (a fleet's results are JSON Lines: --format jsonl)");
    if (batch)
        return bl_analyze_batch(&c);
    /* The output is checked before anything is read: a refusal costs nothing. */
    bl_inputs in;
    bl_output dest;
    if ((rc = bl_cli_report_open(&c, &in, &dest)) != 0)
        return rc;
    bl_session s;
    if ((rc = bl_session_open(&s, &c, c.args[0], true)) != 0) {
        bl_output_abort(&dest);
        bl_inputs_free(&in);
        return rc;
    }
    bl_cli_inputs_add_source(&in, &s.source);
    /* A partial analysis says so where a pipeline looks: the report itself
     * carries the details, but JSON and SARIF consumers may not read them. */
    const bl_hive_info *hi = s.analysis.hive;
    uint32_t unreadable = hi ? hi->nproblems : 0;
    if (unreadable && (c.format == BL_FMT_JSON || c.format == BL_FMT_SARIF))
        fprintf(stderr, "bootlens: %s: partial analysis: %u part%s of the hive could not be read (see hive-damaged)\n",
                c.args[0], unreadable, unreadable == 1 ? "" : "s");
    /* The fixes merged into one plan, re-simulated together: for the fix
     * files and the HTML report's answer. */
    bl_fix_plan plan = {0};
    if (c.fix_out || c.format == BL_FMT_HTML) {
        bl_fix_plan_build(&plan, s.model, &s.findings);
        bl_fix_plan_verify(&plan, &s);
    }
    if (c.fix_out && (rc = bl_write_fix_files(&c, &s, &plan)) != 0) {
        bl_output_abort(&dest);
        bl_inputs_free(&in);
        bl_fix_plan_free(&plan);
        bl_session_close(&s);
        return rc;
    }
    FILE *out = dest.fp;
    double t0 = bl_now_ms();
    write_report(out, &c, &s, &plan, bl_exit_for(&c, &s.findings));
    int wrc = bl_cli_output_commit(&dest, &in);
    bl_inputs_free(&in);
    s.times.output = bl_now_ms() - t0;
    if (c.timings)
        fprintf(stderr, "timings-ms open=%.3f model=%.3f sim=%.3f rules=%.3f output=%.3f total=%.3f\n",
                s.times.open, s.times.model, s.times.sim, s.times.rules, s.times.output,
                s.times.open + s.times.model + s.times.sim + s.times.rules + s.times.output);
    rc = wrc ? wrc : bl_exit_for(&c, &s.findings);
    bl_fix_plan_free(&plan);
    bl_session_close(&s);
    return rc;
}
