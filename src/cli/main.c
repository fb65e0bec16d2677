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
        printf("bootlens %s\n", bl_cli_version());
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
