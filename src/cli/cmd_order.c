/* cmd_order.c — `bootlens order HIVE`: the load order Windows computes from
 * groups and tags, as a LoadOrder-style table or JSON. */
#include "cli.h"

int cmd_order(int argc, char **argv)
{
    bl_cli c;
    int rc = bl_cli_parse(&c, CMD_ORDER, "order", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs != 1) 
        return bl_usage_error(c.cmd_name, "expected one HIVE");
    bl_session s;
    if ((rc = bl_session_open(&s, &c, c.args[0], false)) != 0)
        return rc;
    if (c.format == BL_FMT_TEXT)
        bl_session_print_origin(stdout, &s);
    if (c.format == BL_FMT_JSON)
        bl_report_order_json(stdout, &s.analysis, c.phase);
    else
        bl_report_order_text(stdout, &s.analysis, c.phase);
    bl_session_close(&s);
    return BL_EXIT_OK;
}
