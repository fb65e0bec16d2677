/* cmd_filters.c — `bootlens filters HIVE`: the file-system filter stack
 * (filter manager frames, minifilters, legacy filters) as it ends up after
 * boot, fltmc style, as text or JSON. */
#include "cli.h"

int cmd_filters(int argc, char **argv)
{
    bl_cli c;
    int rc = bl_cli_parse(&c, CMD_FILTERS, "filters", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs != 1) {
        bl_cli_usage(stderr, CMD_FILTERS);
        return BL_EXIT_INPUT;
    }
    bl_session s;
    if ((rc = bl_session_open(&s, &c, c.args[0], false)) != 0)
        return rc;
    if (c.format == BL_FMT_TEXT)
        bl_session_print_origin(stdout, &s);
    bl_report_filters(stdout, &s.analysis, c.format);
    bl_session_close(&s);
    return BL_EXIT_OK;
}
