/* cmd_stack.c — `bootlens stack HIVE`: device stacks with each driver's
 * start slot and where each entry comes from (class or device). */
#include "cli.h"

int cmd_stack(int argc, char **argv)
{
    bl_cli c;
    int rc = bl_cli_parse(&c, CMD_STACK, "stack", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs != 1) 
        return bl_usage_error(c.cmd_name, "expected one HIVE");
    bl_session s;
    if ((rc = bl_session_open(&s, &c, c.args[0], false)) != 0)
        return rc;
    if (c.format == BL_FMT_TEXT)
        bl_session_print_origin(stdout, &s);
    bl_stack_query q = {c.class_filter, c.device_filter, c.all, c.verbose};
    uint32_t shown = bl_report_stack(stdout, &s.analysis, &q, c.format);
    bl_session_close(&s);
    /* Asking for a class or device that is not there is a usage problem. */
    if (!shown && (c.class_filter || c.device_filter)) {
        fprintf(stderr, "bootlens: stack: no device matches %s%s\n", c.class_filter ? "--class " : "--device ",
                c.class_filter ? c.class_filter : c.device_filter);
        return BL_EXIT_INPUT;
    }
    return BL_EXIT_OK;
}
