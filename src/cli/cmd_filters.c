/* cmd_filters.c — `bootlens filters HIVE`: the file-system filter stack
 * (filter manager frames, minifilters, legacy filters) as it ends up after
 * boot, fltmc style, as text or JSON. */
#include "cli.h"

int cmd_filters(int argc, char **argv)
{
    bl_cli c;
    bl_session s;
    bl_report_dest d;
    int rc;
    if (!bl_cli_open_hive_command(&c, &s, &d, CMD_FILTERS, "filters", argc, argv, 1, "expected one HIVE",
                                  false, &rc))
        return rc;
    bl_report_filters(d.out.fp, &s.analysis, c.format);
    return bl_cli_close_hive_command(&s, &d, BL_EXIT_OK);
}
