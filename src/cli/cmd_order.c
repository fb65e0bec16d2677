/* cmd_order.c — `bootlens order HIVE`: the load order Windows computes from
 * groups and tags, as a LoadOrder-style table or JSON. */
#include "cli.h"

int cmd_order(int argc, char **argv)
{
    bl_cli c;
    bl_session s;
    bl_report_dest d;
    int rc;
    if (!bl_cli_open_hive_command(&c, &s, &d, CMD_ORDER, "order", argc, argv, 1, "expected one HIVE", false,
                                  &rc))
        return rc;
    if (c.format == BL_FMT_JSON)
        bl_report_order_json(d.out.fp, &s.analysis, c.phase);
    else
        bl_report_order_text(d.out.fp, &s.analysis, c.phase);
    return bl_cli_close_hive_command(&s, &d, BL_EXIT_OK);
}
