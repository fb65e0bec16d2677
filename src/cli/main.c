/* main.c — bootlens entry point: dispatches to one file per subcommand
 * (cmd_*.c), like git's builtin/. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

typedef struct command {
    const char *name;
    unsigned id;
    int (*run)(int argc, char **argv);
} command;

/* `bootlens --version`: the program, the JSON contract, the built-in
 * knowledge file and every library with the version it reports at run time
 * (and, beside it, the one of the headers it was built against). */
static void print_version(FILE *out)
{
    fprintf(out, "bootlens %s\n", bl_cli_version());
    fprintf(out, "JSON schema_version: %s\n", BL_JSON_SCHEMA_VERSION);
    bl_knowledge *k = bl_knowledge_new();
    bl_error err = {{0}};
    if (bl_knowledge_add_builtin(k, &err) == 0)
        fprintf(out, "knowledge file: %s (built in)\n", *bl_knowledge_version(k) ? bl_knowledge_version(k) : "no @version line");
    else
        fprintf(out, "knowledge file: unreadable: %s\n", err.msg);
    bl_knowledge_free(k);
    bl_libraries l = {0};
    bl_hive_libraries(&l);
    bl_report_libraries(&l);
    bl_image_libraries(&l);
    bl_util_libraries(&l);
    fputs("libraries (version reported by the loaded library at run time; headers built against):\n", out);
    for (uint32_t i = 0; i < l.n; i++) {
        const bl_library *x = &l.v[i];
        if (*x->run_time)
            fprintf(out, "  %-10s %-10s (built against %s)\n", x->name, x->run_time,
                    *x->compile_time ? x->compile_time : "unknown headers");
        else
            fprintf(out, "  %-10s %-10s (compile time: the library has no version function)\n", x->name,
                    x->compile_time);
    }
}

static const command commands[] = {
    {"analyze", CMD_ANALYZE, cmd_analyze}, {"order", CMD_ORDER, cmd_order},
    {"stack", CMD_STACK, cmd_stack},       {"explain", CMD_EXPLAIN, cmd_explain},
    {"recover", CMD_RECOVER, cmd_recover}, {"diff", CMD_DIFF, cmd_diff},
    {"filters", CMD_FILTERS, cmd_filters},
    {"lint", CMD_LINT, cmd_lint},          {"ls", CMD_LS, cmd_ls},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        bl_cli_print_help(stderr);
        return BL_EXIT_INPUT;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        bl_cli_print_help(stdout);
        return BL_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        print_version(stdout);
        return BL_EXIT_OK;
    }
    if (strcmp(name, "--man") == 0) {
        bl_cli_print_man(stdout);
        return BL_EXIT_OK;
    }
    if (strcmp(name, "--completion") == 0) {
        if (argc < 3 || strcmp(argv[2], "bash") != 0) {
            fprintf(stderr, "bootlens: --completion: only bash is supported\n");
            return BL_EXIT_INPUT;
        }
        bl_cli_print_bash_completion(stdout);
        return BL_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            bl_cli_print_help(stdout);
            return BL_EXIT_OK;
        }
        for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++)
            if (strcmp(argv[2], commands[i].name) == 0) {
                bl_cli_usage(stdout, commands[i].id);
                return BL_EXIT_OK;
            }
        const char *near = bl_cli_suggest_command(argv[2]);
        fprintf(stderr, "bootlens: no such command: %s%s%s%s\n", argv[2], near ? " (did you mean " : "",
                near ? near : "", near ? "?)" : "");
        return BL_EXIT_INPUT;
    }
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    const char *near = bl_cli_suggest_command(name);
    if (near)
        fprintf(stderr, "bootlens: no such command: %s (did you mean %s? see bootlens --help)\n", name, near);
    else
        fprintf(stderr, "bootlens: no such command: %s (see bootlens --help)\n", name);
    return BL_EXIT_INPUT;
}
