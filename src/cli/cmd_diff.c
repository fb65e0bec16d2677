/* cmd_diff.c — `bootlens diff HIVE_A [HIVE_B]`: what changed in the boot
 * configuration and its findings between two hives, or between two control
 * sets of one hive (--control-set for A, --control-set-b for B; with one
 * hive B defaults to LastKnownGood). */
#include "cli.h"

#include <string.h>

int cmd_diff(int argc, char **argv)
{
    bl_cli c;
    int rc = bl_cli_parse(&c, CMD_DIFF, "diff", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs < 1 || c.nargs > 2)
        return bl_usage_error(c.cmd_name, "expected HIVE_A [HIVE_B]");
    const char *path_b = c.nargs == 2 ? c.args[1] : c.args[0];
    bl_cli cb = c;
    cb.control_set = c.control_set_b ? c.control_set_b : c.nargs == 2 ? c.control_set : "lastknowngood";
    /* The output is checked before anything is read. */
    bl_inputs in;
    bl_output dest;
    if ((rc = bl_cli_report_open(&c, &in, &dest)) != 0)
        return rc;
    bl_session a, b;
    if ((rc = bl_session_open(&a, &c, c.args[0], true)) != 0) {
        bl_output_abort(&dest);
        bl_inputs_free(&in);
        return rc;
    }
    if ((rc = bl_session_open(&b, &cb, path_b, true)) != 0) {
        bl_session_close(&a);
        bl_output_abort(&dest);
        bl_inputs_free(&in);
        return rc;
    }
    bl_cli_inputs_add_source(&in, &a.source);
    bl_cli_inputs_add_source(&in, &b.source);
    uint32_t failing =
        bl_report_diff(dest.fp, &a.analysis, &b.analysis, c.format, c.fail_on, c.verbose, c.width);
    rc = bl_cli_output_commit(&dest, &in);
    bl_inputs_free(&in);
    bl_session_close(&a);
    bl_session_close(&b);
    return rc ? rc : failing ? BL_EXIT_FINDINGS : BL_EXIT_OK;
}
