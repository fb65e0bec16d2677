/* test_inf.c — unit tests of the INF parser: each syntax rule of Microsoft's
 * "General Syntax Rules for INF Files" and "INF Strings Section" on small
 * INFs written here (ASCII, UTF-8, ANSI and UTF-16LE), decorated-section
 * selection against the examples of "INF Manufacturer Section", DIRIDs,
 * every kind of malformed input with the FILE:LINE message it must give,
 * and every real INF under ../shared/infs. */
#include "testutil.h"


#include "bootlens/inf.h"

/* ---- helpers ---------------------------------------------------------- */

static bl_inf *parse_opt(const char *text, const bl_inf_options *opt)
{
    bl_error err = {{0}};
    bl_inf *inf = bl_inf_parse_mem("t.inf", text, strlen(text), opt, &err);
    if (!inf)
        fail_msg("unexpected parse failure: %s", err.msg);
    return inf;
}

static bl_inf *parse(const char *text)
{
    return parse_opt(text, NULL);
}

/* The fatal error message for bytes that must not parse. */
static const char *parse_error(const void *data, size_t size)
{
    static bl_error err;
    memset(&err, 0, sizeof err);
    bl_inf *inf = bl_inf_parse_mem("t.inf", data, size, NULL, &err);
    if (inf) {
        bl_inf_free(inf);
        fail_msg("parse unexpectedly succeeded");
    }
    return err.msg;
}

static bool has_diag(const bl_inf *inf, const char *text)
{
    for (uint32_t i = 0; i < bl_inf_diag_count(inf); i++) {
        if (strcmp(bl_inf_diag_at(inf, i)->message, text) == 0)
            return true;
    }
    return false;
}

static void print_diags(const bl_inf *inf)
{
    for (uint32_t i = 0; i < bl_inf_diag_count(inf); i++)
        fprintf(stderr, "  diag: %s\n", bl_inf_diag_at(inf, i)->message);
}

#define assert_diag(inf, text)                                                                     \
    do {                                                                                           \
        if (!has_diag(inf, text)) {                                                                \
            print_diags(inf);                                                                      \
            fail_msg("missing warning: %s", text);                                                 \
        }                                                                                          \
    } while (0)

static const bl_inf_line *line_of(const bl_inf *inf, const char *section, uint32_t i)
{
    const bl_inf_section *s = bl_inf_find_section(inf, section);
    assert_non_null(s);
    assert_true(i < s->nlines);
    return &s->lines[i];
}

/* UTF-8 text to UTF-16LE bytes (with a BOM if asked), as Notepad saves
 * "Unicode" INFs; the caller frees. */
static uint8_t *to_utf16le(const char *s, bool bom, size_t *size)
{
    size_t n = strlen(s);
    uint8_t *out = malloc(4 * n + 2), *o = out;
    if (bom) {
        *o++ = 0xFF;
        *o++ = 0xFE;
    }
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        if (*p < 0x80) {
            cp = *p++;
        } else if (*p < 0xE0) {
            cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3Fu);
            p += 2;
        } else if (*p < 0xF0) {
            cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3Fu);
            p += 3;
        } else {
            cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
                 (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3Fu);
            p += 4;
        }
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000, hi = 0xD800 + (v >> 10), lo = 0xDC00 + (v & 0x3FF);
            *o++ = (uint8_t)hi;
            *o++ = (uint8_t)(hi >> 8);
            *o++ = (uint8_t)lo;
            *o++ = (uint8_t)(lo >> 8);
        } else {
            *o++ = (uint8_t)cp;
            *o++ = (uint8_t)(cp >> 8);
        }
    }
    *size = (size_t)(o - out);
    return out;
}

/* ---- syntax ------------------------------------------------------------ */

static void test_sections_keys_values(void **state)
{
    (void)state;
    bl_inf *inf = parse("; leading comment\n"
                        "[Version]\n"
                        "Signature = \"$Windows NT$\"\n"
                        "\n"
                        "[My Section]   ; comment after a header\n"
                        "  Key1   =   value one ,  value two  \n"
                        "value-only, second\t\n"
                        "\tKEY2=x\n");
    assert_int_equal(bl_inf_get_encoding(inf), BL_INF_ENC_ASCII);
    assert_int_equal(bl_inf_section_count(inf), 2);
    const bl_inf_section *s = bl_inf_find_section(inf, "my SECTION");
    assert_non_null(s);
    assert_string_equal(s->name, "My Section");
    assert_int_equal(s->line_no, 5);
    assert_int_equal(s->nlines, 3);
    assert_string_equal(s->lines[0].key, "Key1");
    assert_int_equal(s->lines[0].nvalues, 2);
    assert_string_equal(s->lines[0].values[0].text, "value one");
    assert_string_equal(s->lines[0].values[1].text, "value two");
    assert_int_equal(s->lines[0].line_no, 6);
    assert_null(s->lines[1].key);
    assert_int_equal(s->lines[1].nvalues, 2);
    assert_string_equal(s->lines[1].values[0].text, "value-only");
    assert_string_equal(s->lines[1].values[1].text, "second");
    assert_int_equal(s->lines[1].line_no, 7);
    assert_string_equal(bl_inf_lookup(inf, "my section", "key2"), "x");
    assert_null(bl_inf_find_section(inf, "Missing"));
    assert_int_equal(bl_inf_diag_count(inf), 0);
    bl_inf_free(inf);
}

static void test_duplicate_sections_merge(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[Files]\na.sys\n"
                        "[Other]\nx=1\n"
                        "[FILES]\nb.sys\n");
    assert_int_equal(bl_inf_section_count(inf), 3);
    const bl_inf_section *s = bl_inf_find_section(inf, "files");
    assert_string_equal(s->name, "Files");
    assert_int_equal(s->line_no, 3);
    assert_int_equal(s->nlines, 2);
    assert_string_equal(s->lines[0].values[0].text, "a.sys");
    assert_string_equal(s->lines[1].values[0].text, "b.sys");
    assert_int_equal(s->lines[1].line_no, 8);
    /* Sections keep the order they first appeared in. */
    assert_string_equal(bl_inf_section_at(inf, 1)->name, "Files");
    assert_string_equal(bl_inf_section_at(inf, 2)->name, "Other");
    bl_inf_free(inf);
}

static void test_comments(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[S]\n"
                        "; a whole-line comment\n"
                        "   ;indented comment\n"
                        "a = 1 ; trailing comment\n"
                        "b = \"x;y\" ; the first ';' is quoted\n"
                        "c = %semi;key%\n"
                        "[Strings]\n"
                        "semi;key = resolved\n");
    const bl_inf_section *s = bl_inf_find_section(inf, "S");
    assert_int_equal(s->nlines, 3);
    assert_string_equal(bl_inf_lookup(inf, "S", "a"), "1");
    assert_string_equal(bl_inf_lookup(inf, "S", "b"), "x;y");
    /* A ';' inside a %strkey% token is not a comment (General Syntax Rules). */
    assert_string_equal(line_of(inf, "S", 2)->values[0].raw, "%semi;key%");
    bl_inf_free(inf);
}

static void test_quotes(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[S]\n"
                        "HKR,,Example,,\"Display an \"\"example\"\" string\"\n"
                        "k = \"  keep blanks  \"\n"
                        "e = \"\", , x\n"
                        "m = ab\"cd\"ef , \"a,b\"\n"
                        "\"quoted key\" = v\n");
    const bl_inf_line *l = line_of(inf, "S", 0);
    assert_int_equal(l->nvalues, 5);
    assert_string_equal(l->values[4].text, "Display an \"example\" string");
    assert_true(l->values[4].quoted);
    assert_string_equal(bl_inf_lookup(inf, "S", "k"), "  keep blanks  ");
    l = line_of(inf, "S", 2);
    assert_int_equal(l->nvalues, 3);
    /* `""` is an explicitly empty string, the next field is merely empty. */
    assert_string_equal(l->values[0].text, "");
    assert_true(l->values[0].quoted);
    assert_string_equal(l->values[1].text, "");
    assert_false(l->values[1].quoted);
    l = line_of(inf, "S", 3);
    assert_string_equal(l->values[0].text, "abcdef");
    assert_string_equal(l->values[1].text, "a,b");
    assert_string_equal(bl_inf_lookup(inf, "S", "quoted key"), "v");
    bl_inf_free(inf);
}

static void test_continuation(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[S]\n"
                        "a = one, \\\n"
                        "    two\n"
                        /* The examples of General Syntax Rules. */
                        "CopyFiles = \"SomeDirectory\\\"\\ ; comment\n"
                        ",SomeFile\n"
                        "Second = SomeDirectory\\\\\n"
                        ",SomeFile\n"
                        "joined = ab\\\n"
                        "cd\n"
                        "last = 1\n"
                        "cont = x \\\n");
    const bl_inf_line *l = line_of(inf, "S", 0);
    assert_int_equal(l->line_no, 4);
    assert_int_equal(l->nvalues, 2);
    assert_string_equal(l->values[1].text, "two");
    l = line_of(inf, "S", 1);
    assert_int_equal(l->line_no, 6);
    assert_int_equal(l->nvalues, 2);
    assert_string_equal(l->values[0].text, "SomeDirectory\\");
    assert_string_equal(l->values[1].text, "SomeFile");
    l = line_of(inf, "S", 2);
    assert_int_equal(l->nvalues, 2);
    assert_string_equal(l->values[0].text, "SomeDirectory\\");
    assert_string_equal(bl_inf_lookup(inf, "S", "joined"), "abcd");
    assert_int_equal(line_of(inf, "S", 4)->line_no, 12);
    assert_string_equal(bl_inf_lookup(inf, "S", "cont"), "x");
    assert_diag(inf, "t.inf:13: line continuation '\\' at the end of the file");
    bl_inf_free(inf);
}

static void test_empty_and_missing_fields(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[S]\n"
                        "AddReg = ,,\n"
                        "Key =\n"
                        "HKR,,Val\n"
                        "HKR, Sub, , , \n"
                        ",\n");
    const bl_inf_line *l = line_of(inf, "S", 0);
    assert_int_equal(l->nvalues, 3);
    for (uint32_t i = 0; i < 3; i++)
        assert_string_equal(bl_inf_value_at(l, i), "");
    assert_null(bl_inf_value_at(l, 3));
    l = line_of(inf, "S", 1);
    assert_string_equal(l->key, "Key");
    assert_int_equal(l->nvalues, 0);
    assert_null(bl_inf_value_at(l, 0));
    l = line_of(inf, "S", 2);
    assert_null(l->key);
    assert_int_equal(l->nvalues, 3);
    assert_string_equal(bl_inf_value_at(l, 1), "");
    assert_string_equal(bl_inf_value_at(l, 2), "Val");
    assert_null(bl_inf_value_at(l, 3));
    l = line_of(inf, "S", 3);
    assert_int_equal(l->nvalues, 5);
    assert_string_equal(bl_inf_value_at(l, 1), "Sub");
    assert_string_equal(bl_inf_value_at(l, 4), "");
    assert_int_equal(line_of(inf, "S", 4)->nvalues, 2);
    bl_inf_free(inf);
}

static void test_equals_sign_rules(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[S]\n"
                        "key = a = b\n"
                        "HKR,,Name,,a=b\n"
                        "= no key\n");
    const bl_inf_line *l = line_of(inf, "S", 0);
    assert_string_equal(l->key, "key");
    assert_string_equal(l->values[0].text, "a = b");
    /* An '=' after the first comma is text: the line has no key. */
    l = line_of(inf, "S", 1);
    assert_null(l->key);
    assert_int_equal(l->nvalues, 5);
    assert_string_equal(l->values[4].text, "a=b");
    l = line_of(inf, "S", 2);
    assert_string_equal(l->key, "");
    assert_string_equal(l->values[0].text, "no key");
    bl_inf_free(inf);
}

static void test_line_endings(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\r\nSignature=\"$Windows NT$\"\r\n"
                        "[S]\ra=1\r\n\nb=2\rc=3\n"
                        "d=4");
    const bl_inf_section *s = bl_inf_find_section(inf, "S");
    assert_int_equal(s->line_no, 3);
    assert_int_equal(s->nlines, 4);
    assert_int_equal(s->lines[0].line_no, 4);
    assert_int_equal(s->lines[1].line_no, 6);
    assert_int_equal(s->lines[2].line_no, 7);
    assert_int_equal(s->lines[3].line_no, 8);
    assert_string_equal(bl_inf_lookup(inf, "S", "c"), "3");
    assert_string_equal(bl_inf_lookup(inf, "S", "d"), "4");
    bl_inf_free(inf);
}

static void test_header_rules(void **state)
{
    (void)state;
    bl_inf *inf = parse("junk before any section\n"
                        "[Version]\nSignature=\"$Windows NT$\"\n"
                        "[;; Std Mfg ]\nx=1\n"
                        "[Trailing] text\n"
                        "[]\n");
    assert_diag(inf, "t.inf:1: text before the first section header is ignored");
    /* A header keeps its ';' and blanks verbatim; a quoted reference finds it. */
    assert_non_null(bl_inf_find_section(inf, ";; Std Mfg "));
    assert_diag(inf, "t.inf:4: section name [;; Std Mfg ] has leading or trailing blanks; only a "
                     "quoted reference can name it");
    assert_diag(inf, "t.inf:6: text after the section header [Trailing] is ignored");
    assert_diag(inf, "t.inf:7: empty section name []");
    bl_inf_free(inf);

    char long_name[300];
    memset(long_name, 'n', sizeof long_name);
    long_name[299] = '\0';
    char text[400];
    snprintf(text, sizeof text, "[Version]\nSignature=\"$Windows NT$\"\n[%s]\n", long_name);
    inf = parse(text);
    assert_diag(inf, "t.inf:3: section name longer than 255 characters, Windows' limit");
    bl_inf_free(inf);
}

/* ---- strings ------------------------------------------------------------ */

static void test_strings_substitution(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\n"
                        "Signature = \"$Windows NT$\"\n"
                        "Provider = %Mfg%\n"
                        "[Manufacturer]\n"
                        "%MFG% = %ModelsName%, NTamd64\n"
                        "[Contoso.NTamd64]\n"
                        "%Dev% = Install, HWID\n"
                        "[S]\n"
                        "percent = \"100%%\"\n"
                        "event = \"%%SystemRoot%%\\System32\\IoLogMsg.dll\"\n"
                        "path = %12%\\drv.sys\n"
                        "concat = \"%A% and %b%\"\n"
                        "unknown = %NoSuchKey%\n"
                        "loop = %A%\n"
                        "[Install]\n"
                        "[Strings]\n"
                        "Mfg = \"Contoso, Ltd.\"\n"
                        "ModelsName = Contoso\n"
                        "Dev = \"  Spaced  \"\n"
                        "A = \"%B%\"\n"
                        "B = %A%\n"
                        "Comma = a, b\n");
    assert_string_equal(bl_inf_version(inf)->provider, "Contoso, Ltd.");
    assert_string_equal(bl_inf_strings_section(inf), "Strings");
    /* Keys, values and section-name references are substituted. */
    const bl_inf_line *mfg = line_of(inf, "Manufacturer", 0);
    assert_string_equal(mfg->key, "Contoso, Ltd.");
    assert_string_equal(mfg->raw_key, "%MFG%");
    assert_string_equal(mfg->values[0].text, "Contoso");
    bl_inf_target t;
    bl_inf_target_init(&t);
    const bl_inf_section *models = NULL;
    assert_int_equal(bl_inf_select_models(inf, mfg, &t, &models, NULL, NULL), BL_INF_MODELS_FOUND);
    assert_string_equal(models->name, "Contoso.NTamd64");
    /* Quoted strings lose their quotes but keep their blanks. */
    assert_string_equal(models->lines[0].key, "  Spaced  ");
    assert_string_equal(bl_inf_lookup(inf, "S", "percent"), "100%");
    assert_string_equal(bl_inf_lookup(inf, "S", "event"), "%SystemRoot%\\System32\\IoLogMsg.dll");
    /* DIRIDs stay for bl_inf_image_path, without a warning. */
    assert_string_equal(bl_inf_lookup(inf, "S", "path"), "%12%\\drv.sys");
    assert_string_equal(bl_inf_lookup(inf, "S", "concat"), "%B% and %A%");
    /* Unknown keys are kept and reported; Windows does not expand %tokens%
     * inside string values, so A -> "%B%" and B -> "%A%" cannot loop. */
    assert_string_equal(bl_inf_lookup(inf, "S", "unknown"), "%NoSuchKey%");
    assert_diag(inf, "t.inf:13: %NoSuchKey% is not defined in [Strings]; kept as is");
    assert_string_equal(bl_inf_lookup(inf, "S", "loop"), "%B%");
    assert_string_equal(bl_inf_string(inf, "comma"), "a, b");
    assert_int_equal(bl_inf_diag_count(inf), 1);
    bl_inf_free(inf);
}

static void test_strings_problems(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[S]\n"
                        "a = 50% off\n"
                        "[Strings]\n"
                        "K = first\n"
                        "k = second\n"
                        "no equals sign\n");
    assert_diag(inf, "t.inf:4: lone '%' kept as is (write %% for a percent sign)");
    assert_diag(inf, "t.inf:7: string key k is defined twice in [Strings]; the first definition "
                     "is used");
    assert_diag(inf, "t.inf:8: line in [Strings] has no '='; ignored");
    assert_string_equal(bl_inf_string(inf, "K"), "first");
    bl_inf_free(inf);

    inf = parse("[Version]\nSignature=\"$Windows NT$\"\n[S]\nx=%Key%\n");
    assert_diag(inf, "t.inf:4: %Key% is used but the INF has no [Strings] section; kept as is");
    assert_null(bl_inf_strings_section(inf));
    bl_inf_free(inf);
}

static void test_strings_locale(void **state)
{
    (void)state;
    const char *text = "[Version]\nSignature=\"$Windows NT$\"\n"
                       "[S]\nname=%Name%\nonly=%OnlyPlain%\n"
                       "[Strings]\nName=English\nOnlyPlain=plain\n"
                       "[Strings.0407]\nName=Deutsch\n"
                       "[Strings.0007]\nName=Deutsch neutral\n"
                       "[Strings.0807]\nName=Schweizerdeutsch\n"
                       "[Strings.040C]\nName=\"Français\"\n";
    bl_inf_options opt;
    bl_inf_options_init(&opt);
    assert_int_equal(opt.langid, 0x0409);

    bl_inf *inf = parse_opt(text, &opt); /* no [Strings.0409]: the undecorated one */
    assert_string_equal(bl_inf_lookup(inf, "S", "name"), "English");
    assert_string_equal(bl_inf_lookup(inf, "S", "only"), "plain");
    bl_inf_free(inf);

    opt.langid = 0x0407; /* exact */
    inf = parse_opt(text, &opt);
    assert_string_equal(bl_inf_strings_section(inf), "Strings.0407");
    assert_string_equal(bl_inf_lookup(inf, "S", "name"), "Deutsch");
    /* Windows uses one strings section; a key only in [Strings] stays. */
    assert_string_equal(bl_inf_lookup(inf, "S", "only"), "%OnlyPlain%");
    assert_diag(inf, "t.inf:5: %OnlyPlain% is defined in [Strings] but not in [Strings.0407], the "
                     "only strings section Windows uses for LANGID 0407; kept as is");
    bl_inf_free(inf);

    opt.langid = 0x0C07; /* German (Austria): the SUBLANG_NEUTRAL section */
    inf = parse_opt(text, &opt);
    assert_string_equal(bl_inf_lookup(inf, "S", "name"), "Deutsch neutral");
    bl_inf_free(inf);

    opt.langid = 0x080C; /* French (Belgium): any French section */
    inf = parse_opt(text, &opt);
    assert_string_equal(bl_inf_lookup(inf, "S", "name"), "Français");
    bl_inf_free(inf);

    opt.langid = 0x0411; /* Japanese: nothing matches, undecorated */
    inf = parse_opt(text, &opt);
    assert_string_equal(bl_inf_lookup(inf, "S", "name"), "English");
    bl_inf_free(inf);
}

/* ---- encodings ---------------------------------------------------------- */

static const char *unicode_inf = "; Ünïcödé comment\r\n"
                                 "[Version]\r\n"
                                 "Signature=\"$Windows NT$\"\r\n"
                                 "Provider=%Mfg%\r\n"
                                 "[Strings]\r\n"
                                 "Mfg=\"Gerätehersteller € 😀\"\r\n";

static void check_unicode_inf(const bl_inf *inf)
{
    assert_string_equal(bl_inf_version(inf)->provider, "Gerätehersteller € 😀");
    assert_int_equal(line_of(inf, "Strings", 0)->line_no, 6);
    assert_int_equal(bl_inf_diag_count(inf), 0);
}

static void test_utf16le_bom(void **state)
{
    (void)state;
    size_t size;
    uint8_t *data = to_utf16le(unicode_inf, true, &size);
    bl_error err;
    bl_inf *inf = bl_inf_parse_mem("t.inf", data, size, NULL, &err);
    assert_non_null(inf);
    assert_int_equal(bl_inf_get_encoding(inf), BL_INF_ENC_UTF16LE);
    check_unicode_inf(inf);
    bl_inf_free(inf);
    free(data);
}

static void test_utf16le_without_bom(void **state)
{
    (void)state;
    size_t size;
    uint8_t *data = to_utf16le(unicode_inf, false, &size);
    bl_error err;
    bl_inf *inf = bl_inf_parse_mem("t.inf", data, size, NULL, &err);
    assert_non_null(inf);
    assert_int_equal(bl_inf_get_encoding(inf), BL_INF_ENC_UTF16LE_NOBOM);
    check_unicode_inf(inf);
    bl_inf_free(inf);
    free(data);
}

static void test_utf8_with_and_without_bom(void **state)
{
    (void)state;
    bl_inf *inf = parse(unicode_inf);
    assert_int_equal(bl_inf_get_encoding(inf), BL_INF_ENC_UTF8);
    check_unicode_inf(inf);
    bl_inf_free(inf);

    char buf[512];
    snprintf(buf, sizeof buf, "\xEF\xBB\xBF%s", unicode_inf);
    inf = parse(buf);
    assert_int_equal(bl_inf_get_encoding(inf), BL_INF_ENC_UTF8_BOM);
    check_unicode_inf(inf);
    bl_inf_free(inf);
}

static void test_ansi_fallback(void **state)
{
    (void)state;
    /* "Gerät €" in Windows-1252: not UTF-8, read the way Windows would. */
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "Provider=\"Ger\xE4t \x80\"\n");
    assert_int_equal(bl_inf_get_encoding(inf), BL_INF_ENC_ANSI);
    assert_string_equal(bl_inf_version(inf)->provider, "Gerät €");
    assert_diag(inf,
                "t.inf:3: not valid UTF-8 (first bad byte on this line); read as Windows-1252");
    bl_inf_free(inf);
}

static void test_invalid_utf16(void **state)
{
    (void)state;
    size_t size;
    uint8_t *data =
        to_utf16le("[Version]\nSignature=\"$Windows NT$\"\nProvider=AXB\n", true, &size);
    /* Turn the X into a lone high surrogate and add a stray last byte. */
    uint8_t *x = memchr(data, 'X', size);
    x[0] = 0x00;
    x[1] = 0xD8;
    data[size++] = 'Z';
    bl_error err;
    bl_inf *inf = bl_inf_parse_mem("t.inf", data, size, NULL, &err);
    assert_non_null(inf);
    assert_string_equal(bl_inf_version(inf)->provider, "A\xEF\xBF\xBD"
                                                       "B");
    assert_diag(inf, "t.inf:3: invalid UTF-16 (unpaired surrogate) replaced by U+FFFD");
    assert_diag(inf, "t.inf:3: UTF-16 file has an odd number of bytes; the last byte is ignored");
    bl_inf_free(inf);
    free(data);
}

/* ---- [Version], Include/Needs, numbers ---------------------------------- */

static void test_version_info(void **state)
{
    (void)state;
    bl_inf *inf = parse("[version]\n"
                        "signature = \"$WINDOWS NT$\"\n"
                        "Class = System\n"
                        "ClassGUID = {4d36e97d-e325-11ce-bfc1-08002be10318}\n"
                        "Provider = %P%\n"
                        "DriverVer = 06/21/2006,10.0.19041.1\n"
                        "CatalogFile = x.cat\n"
                        "Class = Ignored\n"
                        "[Strings]\nP = Contoso\n");
    const bl_inf_version_info *v = bl_inf_version(inf);
    assert_string_equal(v->signature, "$WINDOWS NT$");
    assert_string_equal(v->class_name, "System");
    assert_int_equal(v->class_line, 3);
    assert_string_equal(v->class_guid, "{4d36e97d-e325-11ce-bfc1-08002be10318}");
    assert_int_equal(v->class_guid_line, 4);
    assert_string_equal(v->provider, "Contoso");
    assert_string_equal(v->driver_ver_date, "06/21/2006");
    assert_string_equal(v->driver_ver_version, "10.0.19041.1");
    assert_int_equal(v->driver_ver_line, 6);
    assert_string_equal(v->catalog_file, "x.cat");
    assert_int_equal(bl_inf_diag_count(inf), 0);
    bl_inf_free(inf);

    inf = parse("[Version]\nSignature=\"$Windows 3.1$\"\n");
    assert_diag(inf,
                "t.inf:1: Signature \"$Windows 3.1$\" is not \"$Windows NT$\" or \"$Chicago$\"");
    assert_null(bl_inf_version(inf)->class_name);
    bl_inf_free(inf);
    inf = parse("[Other]\nx=1\n");
    assert_diag(inf, "t.inf:1: no [Version] section: Windows rejects the INF");
    bl_inf_free(inf);
}

static void test_include_needs(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[Inst.NT]\n"
                        "Include = ks.inf, , kscaptur.inf\n"
                        "Needs = KS.Registration, %Need2%\n"
                        "[Strings]\nNeed2 = KSCAPTUR.Registration.NT\n");
    assert_int_equal(bl_inf_ref_count(inf), 4);
    const bl_inf_ref *r = bl_inf_ref_at(inf, 0);
    assert_int_equal(r->kind, BL_INF_REF_INCLUDE);
    assert_string_equal(r->name, "ks.inf");
    assert_string_equal(r->section, "Inst.NT");
    assert_int_equal(r->line_no, 4);
    assert_string_equal(bl_inf_ref_at(inf, 1)->name, "kscaptur.inf");
    r = bl_inf_ref_at(inf, 3);
    assert_int_equal(r->kind, BL_INF_REF_NEEDS);
    assert_string_equal(r->name, "KSCAPTUR.Registration.NT");
    assert_int_equal(r->line_no, 5);
    assert_null(bl_inf_ref_at(inf, 4));
    bl_inf_free(inf);
}

static void test_numbers(void **state)
{
    (void)state;
    uint32_t v = 7;
    assert_int_equal(bl_inf_parse_u32("12", &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(bl_inf_parse_u32("  0x0001000A  ", &v), 0);
    assert_int_equal(v, 0x1000A);
    assert_int_equal(bl_inf_parse_u32("0XfF", &v), 0);
    assert_int_equal(v, 0xFF);
    assert_int_equal(bl_inf_parse_u32("4294967295", &v), 0);
    assert_int_equal(v, 0xFFFFFFFFu);
    assert_int_equal(bl_inf_parse_u32("-1", &v), 0);
    assert_int_equal(v, 0xFFFFFFFFu);
    assert_int_equal(bl_inf_parse_u32("0", &v), 0);
    assert_int_equal(v, 0);
    v = 7;
    const char *bad[] = {"",   "  ",  "0x",  "12a",         "4294967296", "0x100000000",
                         "x1", "1 2", "--1", "-2147483649", "+1"};
    for (size_t i = 0; i < BL_ARRAY_LEN(bad); i++)
        assert_int_equal(bl_inf_parse_u32(bad[i], &v), -1);
    assert_int_equal(v, 7);

    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[Svc]\nStartType = 0x3\nErrorControl = one\n");
    bl_error err;
    const bl_inf_line *l = line_of(inf, "Svc", 0);
    assert_int_equal(bl_inf_value_u32(inf, l, 0, &v, &err), 0);
    assert_int_equal(v, 3);
    assert_int_equal(bl_inf_value_u32(inf, l, 1, &v, &err), -1);
    assert_string_equal(err.msg, "t.inf:4: field 2 is missing (a number is needed)");
    l = line_of(inf, "Svc", 1);
    assert_int_equal(bl_inf_value_u32(inf, l, 0, &v, &err), -1);
    assert_string_equal(err.msg, "t.inf:5: field 1 is \"one\", not a number");
    bl_inf_error_at(inf, 9, &err, "custom %d", 42);
    assert_string_equal(err.msg, "t.inf:9: custom 42");
    bl_inf_free(inf);
}

/* ---- decorations and selection ----------------------------------------- */

static void test_parse_decoration(void **state)
{
    (void)state;
    bl_inf_decoration d;
    assert_int_equal(bl_inf_parse_decoration("NT", 2, &d), 0);
    assert_false(d.has_arch);
    assert_false(d.has_version);
    const char *s = "ntAMD64.10.0...16299";
    assert_int_equal(bl_inf_parse_decoration(s, strlen(s), &d), 0);
    assert_true(d.has_arch);
    assert_int_equal(d.arch, BL_INF_ARCH_AMD64);
    assert_true(d.has_version);
    assert_int_equal(d.major, 10);
    assert_int_equal(d.minor, 0);
    assert_int_equal(d.product_type, 0);
    assert_int_equal(d.suite_mask, 0);
    assert_int_equal(d.build, 16299);
    s = "NTx86....0x80";
    assert_int_equal(bl_inf_parse_decoration(s, strlen(s), &d), 0);
    assert_int_equal(d.arch, BL_INF_ARCH_X86);
    assert_false(d.has_version);
    assert_int_equal(d.suite_mask, 0x80);
    s = "NT.6.1.3";
    assert_int_equal(bl_inf_parse_decoration(s, strlen(s), &d), 0);
    assert_int_equal(d.product_type, 3);
    s = "NTarm64";
    assert_int_equal(bl_inf_parse_decoration(s, strlen(s), &d), 0);
    assert_int_equal(d.arch, BL_INF_ARCH_ARM64);
    const char *bad[] = {"",
                         "N",
                         "NTfoo",
                         "NT$ARCH$",
                         "XP",
                         "NT.a",
                         "NT.1.2.3.4.5.6",
                         "NT.-1",
                         "Services",
                         "NTamd64.10.0...99999999999", "NTamd\x16\x14"};
    for (size_t i = 0; i < BL_ARRAY_LEN(bad); i++)
        assert_int_equal(bl_inf_parse_decoration(bad[i], strlen(bad[i]), &d), -1);

    bl_inf_arch a;
    assert_int_equal(bl_inf_parse_arch("ARM64", &a), 0);
    assert_int_equal(a, BL_INF_ARCH_ARM64);
    assert_int_equal(bl_inf_parse_arch("amd", &a), -1);
    assert_string_equal(bl_inf_arch_name(BL_INF_ARCH_IA64), "ia64");
}

/* Selects the models section for the only [Manufacturer] line of text on
 * t and returns its name ("" when none, "!" prefix when missing). */
static const char *models_for(const char *text, const bl_inf_target *t)
{
    static char result[256];
    bl_inf *inf = parse(text);
    const bl_inf_line *mfg = line_of(inf, "Manufacturer", 0);
    const bl_inf_section *out = NULL;
    bl_sb name = {0};
    bl_error err;
    bl_inf_models_result rc = bl_inf_select_models(inf, mfg, t, &out, &name, &err);
    if (rc == BL_INF_MODELS_FOUND)
        snprintf(result, sizeof result, "%s", out->name);
    else if (rc == BL_INF_MODELS_MISSING)
        snprintf(result, sizeof result, "!%s", bl_sb_str(&name));
    else
        result[0] = '\0';
    bl_sb_free(&name);
    bl_inf_free(inf);
    return result;
}

static void target(bl_inf_target *t, bl_inf_arch arch, uint32_t major, uint32_t minor,
                   uint32_t build)
{
    bl_inf_target_init(t);
    t->arch = arch;
    t->major = major;
    t->minor = minor;
    t->build = build;
}

static void test_models_selection(void **state)
{
    (void)state;
    bl_inf_target t;

    /* "INF Manufacturer Section": a version beats product type and suite. */
    const char *foo = "[Version]\nSignature=\"$Windows NT$\"\n"
                      "[Manufacturer]\n%FooCorp%=FooMfg, NT, NT.5, NT.5.5, NT....0x80\n"
                      "[FooMfg.NT]\n[FooMfg.NT.5]\n[FooMfg.NT.5.5]\n[FooMfg.NT....0x80]\n"
                      "[Strings]\nFooCorp=Foo\n";
    target(&t, BL_INF_ARCH_X86, 5, 1, 2600);
    t.suite_mask = 0;
    assert_string_equal(models_for(foo, &t), "FooMfg.NT.5");
    t.suite_mask = 0x80; /* Datacenter: still the versioned one */
    assert_string_equal(models_for(foo, &t), "FooMfg.NT.5");
    target(&t, BL_INF_ARCH_X86, 5, 0, 2195);
    t.suite_mask = 0x80;
    assert_string_equal(models_for(foo, &t), "FooMfg.NT.5");
    target(&t, BL_INF_ARCH_X86, 4, 0, 1381);
    t.suite_mask = 0x80;
    assert_string_equal(models_for(foo, &t), "FooMfg.NT....0x80");
    t.suite_mask = 0;
    assert_string_equal(models_for(foo, &t), "FooMfg.NT");

    /* Example 3: Windows 7, Windows 10, Windows 10 build 14310 and later. */
    const char *ex3 = "[Version]\nSignature=\"$Windows NT$\"\n"
                      "[Manufacturer]\n%MyMfg% = MyMfg, NTamd64.6.1, NTamd64.10.0, "
                      "NTamd64.10.0...14310\n"
                      "[MyMfg.NTamd64.6.1]\n[MyMfg.NTamd64.10.0]\n[MyMfg.NTamd64.10.0...14310]\n"
                      "[Strings]\nMyMfg=My\n";
    target(&t, BL_INF_ARCH_AMD64, 10, 0, 19041);
    assert_string_equal(models_for(ex3, &t), "MyMfg.NTamd64.10.0...14310");
    target(&t, BL_INF_ARCH_AMD64, 10, 0, 10586);
    assert_string_equal(models_for(ex3, &t), "MyMfg.NTamd64.10.0");
    target(&t, BL_INF_ARCH_AMD64, 6, 3, 9600);
    assert_string_equal(models_for(ex3, &t), "MyMfg.NTamd64.6.1");
    target(&t, BL_INF_ARCH_AMD64, 6, 0, 6002);
    assert_string_equal(models_for(ex3, &t), "");
    target(&t, BL_INF_ARCH_X86, 10, 0, 19041);
    assert_string_equal(models_for(ex3, &t), "!MyMfg"); /* x86 falls back, but it is absent */
    target(&t, BL_INF_ARCH_AMD64, 11, 0, 1); /* a later major version ignores the build */
    assert_string_equal(models_for(ex3, &t), "MyMfg.NTamd64.10.0...14310");

    /* Example 2: an empty models section blocks Windows 6.0 and later. */
    const char *ex2 = "[Version]\nSignature=\"$Windows NT$\"\n"
                      "[Manufacturer]\n%MyName% = MyName,NTx86.6.0,NTx86.5.1,\n"
                      "[MyName.NTx86.6.0]\n[MyName.NTx86.5.1]\n%MyDev% = InstallB,hwid\n"
                      "[MyName]\n[InstallB]\n[Strings]\nMyName=N\nMyDev=D\n";
    target(&t, BL_INF_ARCH_X86, 6, 1, 7601);
    bl_inf *inf = parse(ex2);
    const bl_inf_section *out;
    assert_int_equal(
        bl_inf_select_models(inf, line_of(inf, "Manufacturer", 0), &t, &out, NULL, NULL),
        BL_INF_MODELS_FOUND);
    assert_string_equal(out->name, "MyName.NTx86.6.0");
    assert_int_equal(out->nlines, 0);
    bl_inf_free(inf);
    target(&t, BL_INF_ARCH_X86, 5, 1, 2600);
    assert_string_equal(models_for(ex2, &t), "MyName.NTx86.5.1");
    target(&t, BL_INF_ARCH_X86, 5, 0, 2195);
    assert_string_equal(models_for(ex2, &t), "MyName");

    /* Undecorated: x86 only since Windows Server 2003 SP1. */
    const char *plain = "[Version]\nSignature=\"$Windows NT$\"\n"
                        "[Manufacturer]\nContoso\n[Contoso]\n";
    target(&t, BL_INF_ARCH_X86, 10, 0, 19041);
    assert_string_equal(models_for(plain, &t), "Contoso");
    target(&t, BL_INF_ARCH_AMD64, 10, 0, 19041);
    assert_string_equal(models_for(plain, &t), "");

    /* Product type: a server-only section does not fit a workstation. */
    const char *server = "[Version]\nSignature=\"$Windows NT$\"\n"
                         "[Manufacturer]\nM=S,NTamd64.10.0.3,NTamd64\n[S.NTamd64.10.0.3]\n"
                         "[S.NTamd64]\n";
    target(&t, BL_INF_ARCH_AMD64, 10, 0, 19041);
    assert_string_equal(models_for(server, &t), "S.NTamd64");
    t.product_type = 3;
    assert_string_equal(models_for(server, &t), "S.NTamd64.10.0.3");

    /* stampinf's $ARCH$ reads as the target architecture. */
    const char *inx = "[Version]\nSignature=\"$Windows NT$\"\n"
                      "[Manufacturer]\n%M%=Std,NT$ARCH$.10.0...16299\n[Std.NT$ARCH$.10.0...16299]\n"
                      "[Strings]\nM=m\n";
    target(&t, BL_INF_ARCH_ARM64, 10, 0, 19041);
    assert_string_equal(models_for(inx, &t), "Std.NT$ARCH$.10.0...16299");
    inf = parse(inx);
    assert_diag(inf, "t.inf:4: \"NT$ARCH$.10.0...16299\": $ARCH$ is a stampinf placeholder, read "
                     "as the target's architecture (an unstamped INF never matches on Windows)");
    bl_inf_free(inf);
}

static void test_models_errors(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[Manufacturer]\n"
                        "%M% = Gone, NTamd64\n"
                        "%M% = Here, NTamd64, NTbogus\n"
                        "%M% =\n"
                        "[Here.NTamd64]\n"
                        "%D% = NoInstall, HWID\n"
                        "%D% = Inst, HWID\n"
                        "[Inst.NTamd64]\n"
                        "[Strings]\nM=m\nD=d\n");
    assert_diag(inf, "t.inf:4: [Manufacturer] names models section [Gone.NTamd64], which is not "
                     "in the INF");
    assert_diag(inf, "t.inf:5: \"NTbogus\" is not a TargetOSVersion decoration");
    assert_diag(inf, "t.inf:5: [Manufacturer] names models section [Here.NTbogus], which is not "
                     "in the INF");
    assert_diag(inf, "t.inf:6: [Manufacturer] entry names no models section");
    assert_diag(inf, "t.inf:8: model d names install section [NoInstall], which is not in the INF "
                     "(with or without a platform extension)");
    bl_inf_target t;
    bl_inf_target_init(&t);
    const bl_inf_section *out;
    bl_sb name = {0};
    bl_error err;
    assert_int_equal(
        bl_inf_select_models(inf, line_of(inf, "Manufacturer", 0), &t, &out, &name, &err),
        BL_INF_MODELS_MISSING);
    assert_null(out);
    assert_string_equal(bl_sb_str(&name), "Gone.NTamd64");
    assert_string_equal(err.msg, "t.inf:4: models section [Gone.NTamd64], which Windows uses on "
                                 "amd64 Windows 10.0 build 19041, is not in the INF");
    t.arch = BL_INF_ARCH_ARM64;
    assert_int_equal(
        bl_inf_select_models(inf, line_of(inf, "Manufacturer", 1), &t, &out, NULL, &err),
        BL_INF_MODELS_NOT_FOR_TARGET);
    assert_string_equal(err.msg, "t.inf:5: no decoration of the [Manufacturer] entry for Here fits "
                                 "arm64 Windows 10.0 build 19041; Windows installs nothing from it "
                                 "there");
    assert_int_equal(
        bl_inf_select_models(inf, line_of(inf, "Manufacturer", 2), &t, &out, NULL, &err),
        BL_INF_MODELS_MISSING);
    assert_string_equal(err.msg, "t.inf:6: [Manufacturer] entry names no models section");
    bl_sb_free(&name);
    bl_inf_free(inf);
}

static void test_install_section_selection(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[Inst]\n[Inst.NT]\n[Inst.NTamd64]\n[Inst.NTx86]\n"
                        "[Inst.Services]\n[Inst.NT.Services]\n[Inst.NTAMD64.Services]\n"
                        "[Inst.NTamd64.10.0...16299.HW]\n[Inst.NTamd64.HW]\n[Inst.HW]\n"
                        "[Inst.NTamd64.10.0...22000]\n[Inst.NTia64.6.0]\n"
                        "[Other.NT]\n[Only]\n");
    bl_inf_target t;
    bl_inf_target_init(&t);
    assert_string_equal(bl_inf_select_section(inf, "Inst", NULL, &t)->name, "Inst.NTamd64");
    assert_string_equal(bl_inf_select_section(inf, "inst", "services", &t)->name,
                        "Inst.NTAMD64.Services");
    assert_string_equal(bl_inf_select_section(inf, "Inst", "HW", &t)->name,
                        "Inst.NTamd64.10.0...16299.HW");
    t.build = 22000;
    assert_string_equal(bl_inf_select_section(inf, "Inst", NULL, &t)->name,
                        "Inst.NTamd64.10.0...22000");
    t.build = 19041;
    t.arch = BL_INF_ARCH_X86;
    assert_string_equal(bl_inf_select_section(inf, "Inst", NULL, &t)->name, "Inst.NTx86");
    assert_string_equal(bl_inf_select_section(inf, "Inst", "Services", &t)->name,
                        "Inst.NT.Services");
    assert_string_equal(bl_inf_select_section(inf, "Inst", "HW", &t)->name, "Inst.HW");
    t.arch = BL_INF_ARCH_ARM64; /* .NT applies to every architecture */
    assert_string_equal(bl_inf_select_section(inf, "Inst", NULL, &t)->name, "Inst.NT");
    assert_string_equal(bl_inf_select_section(inf, "Other", NULL, &t)->name, "Other.NT");
    assert_string_equal(bl_inf_select_section(inf, "Only", NULL, &t)->name, "Only");
    assert_null(bl_inf_select_section(inf, "Absent", NULL, &t));
    assert_null(bl_inf_select_section(inf, "Only", "Services", &t));
    bl_inf_free(inf);
}

static void test_install_section_ties_and_targets(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[Inst.NTamd64.0]\n[Inst.NTamd64]\n[Inst.NTx86]\n");
    bl_inf_target t;
    bl_inf_target_init(&t);
    /* Equally specific decorations: the section written first wins. */
    assert_string_equal(bl_inf_select_section(inf, "Inst", NULL, &t)->name, "Inst.NTamd64.0");
    /* Answers are remembered per target, never across targets. */
    t.arch = BL_INF_ARCH_X86;
    assert_string_equal(bl_inf_select_section(inf, "Inst", NULL, &t)->name, "Inst.NTx86");
    t.arch = BL_INF_ARCH_ARM64;
    assert_null(bl_inf_select_section(inf, "Inst", NULL, &t));
    t.arch = BL_INF_ARCH_AMD64;
    assert_string_equal(bl_inf_select_section(inf, "INST", NULL, &t)->name, "Inst.NTamd64.0");
    bl_inf_free(inf);
}

static void test_many_sections_stay_linear(void **state)
{
    (void)state;
    /* 100000 decorated variants of one install section and as many model
     * lines naming it: every lookup must not rescan every section. */
    enum { N = 100000 };
    bl_sb sb = {0};
    bl_sb_add(&sb, "[Version]\nSignature=\"$Windows NT$\"\n[Manufacturer]\nM=Models");
    for (int i = 0; i < 2000; i++)
        bl_sb_add(&sb, ",NTamd64");
    bl_sb_add(&sb, "\n[Models.NTamd64]\n");
    for (int i = 0; i < N; i++)
        bl_sb_addf(&sb, "D%d = X, HW%d\n", i, i);
    for (int i = 0; i < N; i++)
        bl_sb_addf(&sb, "[X.NT.%d]\n", i);
    bl_inf *inf = parse(sb.buf);
    bl_inf_target t;
    bl_inf_target_init(&t);
    t.major = 50000;
    const bl_inf_section *models = bl_inf_find_section(inf, "Models.NTamd64");
    for (uint32_t i = 0; i < models->nlines; i++) {
        const bl_inf_section *s = bl_inf_select_section(inf, models->lines[i].values[0].text, NULL,
                                                        &t);
        assert_string_equal(s->name, "X.NT.50000");
    }
    bl_inf_free(inf);
    bl_sb_free(&sb);
}

/* ---- DIRIDs ---------------------------------------------------------------- */

static void test_dirids(void **state)
{
    (void)state;
    assert_string_equal(bl_inf_dirid_dir(12), "%SystemRoot%\\System32\\drivers");
    assert_string_equal(bl_inf_dirid_dir(11), "%SystemRoot%\\System32");
    assert_string_equal(bl_inf_dirid_dir(10), "%SystemRoot%");
    assert_string_equal(bl_inf_dirid_dir(1), "<INF source directory>");
    assert_null(bl_inf_dirid_dir(99));

    bl_sb sb = {0};
    assert_int_equal(bl_inf_expand_dirids("%12%\\foo.sys", &sb), 0);
    assert_string_equal(bl_sb_str(&sb), "%SystemRoot%\\System32\\drivers\\foo.sys");
    bl_sb_reset(&sb);
    assert_int_equal(bl_inf_expand_dirids("%01%\\a;%99%\\b;%x%", &sb), 1);
    assert_string_equal(bl_sb_str(&sb), "<INF source directory>\\a;%99%\\b;%x%");

    struct {
        const char *binary;
        uint32_t type;
        const char *store;
        int rc;
        const char *image;
    } cases[] = {
        {"%12%\\foo.sys", 1, NULL, 0, "\\SystemRoot\\System32\\drivers\\foo.sys"},
        {"%12%\\foo.sys", 2, NULL, 0, "\\SystemRoot\\System32\\drivers\\foo.sys"},
        {"%13%\\foo.sys", 1, "foo.inf_amd64_0123456789abcdef", 0,
         "\\SystemRoot\\System32\\DriverStore\\FileRepository\\foo.inf_amd64_0123456789abcdef\\foo."
         "sys"},
        {"%13%\\foo.sys", 1, NULL, 0,
         "\\SystemRoot\\System32\\DriverStore\\FileRepository\\<package>\\foo.sys"},
        {"%11%\\svc.exe", 0x10, NULL, 0, "%SystemRoot%\\System32\\svc.exe"},
        {"%10%\\x.sys", 1, NULL, 0, "\\SystemRoot\\x.sys"},
        {"C:\\Drivers\\x.sys", 1, NULL, 0, "\\??\\C:\\Drivers\\x.sys"},
        {"C:\\Drivers\\x.exe", 0x10, NULL, 0, "C:\\Drivers\\x.exe"},
        {"%16422%\\Vendor\\x.sys", 1, NULL, 1, "%ProgramFiles%\\Vendor\\x.sys"},
        {"12\\aic78xx.sys", 1, NULL, -1, ""},
        {"%99%\\x.sys", 1, NULL, -1, ""},
        {"%12%x.sys", 1, NULL, -1, ""},
        {"x.sys", 1, NULL, -1, ""},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        bl_sb_reset(&sb);
        assert_int_equal(bl_inf_image_path(cases[i].binary, cases[i].type, cases[i].store, &sb),
                         cases[i].rc);
        assert_string_equal(bl_sb_str(&sb), cases[i].image);
    }

    bl_error err;
    bl_inf *inf = bl_inf_parse_mem("drivers/MyDrv.INX", "[Version]\nSignature=\"$Windows NT$\"\n",
                                   34, NULL, &err);
    assert_non_null(inf);
    bl_inf_target t;
    bl_inf_target_init(&t);
    bl_sb_reset(&sb);
    bl_inf_driver_store_dir(inf, &t, &sb);
    assert_string_equal(bl_sb_str(&sb), "mydrv.inf_amd64_*");
    bl_inf_free(inf);
    bl_sb_free(&sb);
}

/* ---- malformed input ---------------------------------------------------------- */

static void test_unterminated_quote(void **state)
{
    (void)state;
    const char *text = "[Version]\nSignature=\"$Windows NT$\"\n[S]\nx = \"no end, y\nz = 1\n";
    assert_string_equal(parse_error(text, strlen(text)),
                        "t.inf:4: unterminated quoted string (no closing '\"' on this line)");
}

static void test_missing_sections(void **state)
{
    (void)state;
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n"
                        "[DefaultInstall.NTamd64]\n"
                        "AddReg = Present, Nope\n"
                        "CopyFiles = @direct.sys, Files\n"
                        "[DefaultInstall.NTamd64.Services]\n"
                        "AddService = svc, 0x2, NoServiceSection\n"
                        "AddService = svc2, 0x2, Present, NoEventLog\n"
                        "[Present]\n");
    assert_diag(inf, "t.inf:4: AddReg names section [Nope], which is not in the INF");
    assert_diag(inf, "t.inf:5: CopyFiles names section [Files], which is not in the INF");
    assert_diag(inf, "t.inf:7: AddService names service-install section [NoServiceSection], "
                     "which is not in the INF");
    assert_diag(inf, "t.inf:8: AddService names event-log-install section [NoEventLog], which "
                     "is not in the INF");
    assert_int_equal(bl_inf_diag_count(inf), 4);
    bl_inf_free(inf);
}

static void test_header_without_bracket(void **state)
{
    (void)state;
    const char *text = "[Version]\nSignature=\"$Windows NT$\"\n\n  [Broken\nx=1\n";
    assert_string_equal(parse_error(text, strlen(text)),
                        "t.inf:4: section header has no closing ']'");
}

static void test_binary_garbage(void **state)
{
    (void)state;
    const char garbage[] = "[Version]\nSignature=x\n\x7f\x45\x4c\x46\x02\x01\x01\x03garbage";
    assert_string_equal(parse_error(garbage, sizeof garbage - 1),
                        "t.inf:3: control character 0x02 in the text: binary data, not an INF "
                        "file");
    /* Pseudo-random bytes: some fatal error, never a crash. */
    uint8_t noise[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof noise; i++) {
        x = x * 1103515245u + 12345u;
        noise[i] = (uint8_t)(x >> 16);
    }
    const char *msg = parse_error(noise, sizeof noise);
    assert_true(strncmp(msg, "t.inf:", 6) == 0);
    assert_non_null(strstr(msg, "binary data, not an INF file"));
}

static void test_nul_bytes(void **state)
{
    (void)state;
    const char text[] = "[Version]\nSignature=\"$Windows NT$\"\n[S]\nab\0cd\nx=1\n";
    assert_string_equal(parse_error(text, sizeof text - 1),
                        "t.inf:4: NUL byte in the text: binary data, not an INF file");
    /* NUL padding at the end is what some tools leave: a warning only. */
    const char padded[] = "[Version]\nSignature=\"$Windows NT$\"\n\0\0\0\0";
    bl_error err;
    bl_inf *inf = bl_inf_parse_mem("t.inf", padded, sizeof padded - 1, NULL, &err);
    assert_non_null(inf);
    assert_diag(inf, "t.inf:3: NUL padding at the end of the file is ignored");
    bl_inf_free(inf);
}

static void test_ctrl_z_ends_file(void **state)
{
    (void)state;
    const char text[] = "[Version]\nSignature=\"$Windows NT$\"\n[S]\na=1\n\x1a[T]\nb=2\n";
    bl_error err;
    bl_inf *inf = bl_inf_parse_mem("t.inf", text, sizeof text - 1, NULL, &err);
    assert_non_null(inf);
    assert_null(bl_inf_find_section(inf, "T"));
    assert_string_equal(bl_inf_lookup(inf, "S", "a"), "1");
    assert_diag(inf, "t.inf:5: text after the Ctrl-Z end-of-file mark is ignored");
    bl_inf_free(inf);
}

static void test_huge_line(void **state)
{
    (void)state;
    /* 100 MB on one line: refused at the first megabyte, in one pass over
     * it, without copying it. */
    size_t size = (size_t)100 << 20;
    char *big = malloc(size);
    assert_non_null(big);
    memcpy(big, "[S]\nx=", 6);
    memset(big + 6, 'A', size - 6);
    assert_string_equal(parse_error(big, size), "t.inf:2: line longer than 1048576 bytes");
    /* The same in UTF-16LE. */
    memcpy(big, "\xFF\xFE[\0S\0]\0\n\0", 10);
    for (size_t i = 10; i < size; i += 2) {
        big[i] = 'A';
        big[i + 1] = 0;
    }
    assert_string_equal(parse_error(big, size), "t.inf:2: line longer than 1048576 bytes");
    free(big);

    /* Continuations cannot sneak past the limit either. */
    size_t lines = 1100, width = 1000;
    bl_sb sb = {0};
    bl_sb_add(&sb, "[Version]\nSignature=\"$Windows NT$\"\n[S]\nx = \\\n");
    for (size_t i = 0; i < lines; i++) {
        for (size_t j = 0; j < width; j++)
            bl_sb_addc(&sb, 'b');
        bl_sb_add(&sb, "\\\n");
    }
    assert_string_equal(parse_error(sb.buf, sb.len), "t.inf:4: line longer than 1048576 bytes");
    bl_sb_free(&sb);
}

static void test_expansion_bounds(void **state)
{
    (void)state;
    /* A 40 KB string used twice in one field exceeds the field bound. */
    bl_sb sb = {0};
    bl_sb_add(&sb, "[Version]\nSignature=\"$Windows NT$\"\n[S]\nx = %Big%%Big%\n[Strings]\nBig=");
    for (int i = 0; i < 40000; i++)
        bl_sb_addc(&sb, 'q');
    bl_sb_addc(&sb, '\n');
    assert_string_equal(parse_error(sb.buf, sb.len),
                        "t.inf:4: field longer than 65536 bytes after %strkey% substitution");

    /* Used once per line, it fits a field but not 1700 times over. */
    bl_sb_reset(&sb);
    bl_sb_add(&sb, "[Version]\nSignature=\"$Windows NT$\"\n[S]\n");
    for (int i = 0; i < 1700; i++)
        bl_sb_add(&sb, "x=%Big%\n");
    bl_sb_add(&sb, "[Strings]\nBig=");
    for (int i = 0; i < 40000; i++)
        bl_sb_addc(&sb, 'q');
    bl_sb_addc(&sb, '\n');
    const char *msg = parse_error(sb.buf, sb.len);
    assert_non_null(
        strstr(msg, ": %strkey% substitution makes the INF larger than 67108864 bytes"));
    bl_sb_free(&sb);

    /* A field Windows would reject (4096 characters) is only a warning. */
    bl_sb_reset(&sb);
    bl_sb_add(&sb, "[Version]\nSignature=\"$Windows NT$\"\n[S]\nx=");
    for (int i = 0; i < 5000; i++)
        bl_sb_addc(&sb, 'w');
    bl_sb_addc(&sb, '\n');
    bl_inf *inf = parse(sb.buf);
    assert_diag(inf, "t.inf:4: field of 5000 characters; Windows' limit is 4096 including the "
                     "terminating NUL");
    bl_inf_free(inf);
    bl_sb_free(&sb);
}

static void test_item_bound(void **state)
{
    (void)state;
    /* 2 MB of commas would be two million empty fields. */
    size_t size = (size_t)2 << 20;
    char *text = malloc(size);
    memcpy(text, "[S]\n", 4);
    for (size_t i = 4; i < size; i++)
        text[i] = (i % 1000 == 999) ? '\n' : ',';
    const char *msg = parse_error(text, size);
    assert_non_null(strstr(msg, ": more than 1048576 fields and sections: not a plausible INF"));
    free(text);
    /* 300000 distinct sections. */
    bl_sb sb = {0};
    for (int i = 0; i < 300000; i++)
        bl_sb_addf(&sb, "[s%d]\n", i);
    assert_string_equal(parse_error(sb.buf, sb.len),
                        "t.inf:262145: more than 262144 sections: not a plausible INF");
    bl_sb_free(&sb);
}

static void test_warning_cap(void **state)
{
    (void)state;
    bl_sb sb = {0};
    bl_sb_add(&sb, "[Version]\nSignature=\"$Windows NT$\"\n[S]\n");
    for (int i = 0; i < 2000; i++)
        bl_sb_add(&sb, "x=%Undefined%\n");
    bl_sb_add(&sb, "[Strings]\n");
    bl_inf *inf = parse(sb.buf);
    assert_int_equal(bl_inf_diag_count(inf), BL_INF_MAX_DIAGS + 1);
    assert_string_equal(bl_inf_diag_at(inf, BL_INF_MAX_DIAGS)->message,
                        "t.inf:503: 1500 more warnings not shown");
    bl_inf_free(inf);
    bl_sb_free(&sb);
}

static void test_file_errors(void **state)
{
    (void)state;
    bl_error err;
    assert_null(bl_inf_parse_file("/nonexistent/dir/x.inf", NULL, &err));
    assert_non_null(strstr(err.msg, "/nonexistent/dir/x.inf: cannot open"));
    /* Empty input is an INF without sections, not an error. */
    bl_inf *inf = bl_inf_parse_mem("t.inf", "", 0, NULL, &err);
    assert_non_null(inf);
    assert_int_equal(bl_inf_section_count(inf), 0);
    bl_inf_free(inf);
    inf = bl_inf_parse_mem(NULL, NULL, 0, NULL, NULL);
    assert_non_null(inf);
    assert_string_equal(bl_inf_name(inf), "<memory>");
    assert_string_equal(bl_inf_diag_at(inf, 0)->message,
                        "<memory>:1: no [Version] section: Windows rejects the INF");
    bl_inf_free(inf);
}

/* ---- the real INFs ----------------------------------------------------------- */

typedef struct corpus_stats {
    unsigned files, failed, warnings, utf16;
} corpus_stats;

static void parse_one(const char *path, void *ctx)
{
    corpus_stats *st = ctx;
    st->files++;
    bl_error err;
    bl_inf *inf = bl_inf_parse_file(path, NULL, &err);
    if (!inf) {
        fprintf(stderr, "  FAILED: %s\n", err.msg);
        st->failed++;
        return;
    }
    st->warnings += bl_inf_diag_count(inf);
    bl_inf_encoding enc = bl_inf_get_encoding(inf);
    st->utf16 += enc == BL_INF_ENC_UTF16LE || enc == BL_INF_ENC_UTF16LE_NOBOM;
    bl_inf_free(inf);
}

/* `; bootlens: ignore RULE reason`: the scope is the entry the comment
 * ends, the next entry for a comment on its own line (or on a section
 * header), the whole INF before the first section. */
static void test_inline_suppressions(void **state)
{
    (void)state;
    bl_inf *inf = parse("; bootlens: ignore missing-dependency WDF binds UcmCx at run time\n" /* 1 */
                        "[Version]\n"                                                       /* 2 */
                        "Signature=\"$Windows NT$\"\n"                                      /* 3 */
                        "[S]  ; bootlens: ignore disabled-filter on the header\n"           /* 4 */
                        "\n"                                                                /* 5 */
                        "A=1 ; bootlens: ignore duplicate-tag,duplicate-altitude  two rules \n" /* 6 */
                        "; bootlens: ignore filter-delays-device next entry\n"              /* 7 */
                        "; a plain comment\n"                                               /* 8 */
                        "\n"                                                                /* 9 */
                        "B=\"x;y\", \\\n"                                                  /* 10 */
                        "  z ; BOOTLENS:  IGNORE  *\n"                                      /* 11 */
                        "; bootlens: ignore\n"                                              /* 12 */
                        "; bootlens: frobnicate x\n"                                        /* 13 */
                        "C=%k%\n"                                                           /* 14 */
                        "; bootlens: ignore tag-not-in-group-order-list over a header\n"    /* 15 */
                        "[Strings]\nk=\"a ; b\"\n"                                          /* 16-17 */
                        "; bootlens: ignore registry-anomaly dangling\n");                  /* 18 */
    static const struct {
        uint32_t line, target;
        const char *rule, *reason;
    } want[] = {
        {1, 0, "missing-dependency", "WDF binds UcmCx at run time"},
        {4, 6, "disabled-filter", "on the header"},
        {6, 6, "duplicate-tag", "two rules"},
        {6, 6, "duplicate-altitude", "two rules"},
        {7, 10, "filter-delays-device", "next entry"},
        {11, 10, "*", ""},
        {15, 17, "tag-not-in-group-order-list", "over a header"},
        {18, 18, "registry-anomaly", "dangling"},
    };
    assert_int_equal(bl_inf_suppression_count(inf), BL_ARRAY_LEN(want));
    for (uint32_t i = 0; i < BL_ARRAY_LEN(want); i++) {
        const bl_inf_suppression *x = bl_inf_suppression_at(inf, i);
        assert_int_equal(x->line_no, want[i].line);
        assert_int_equal(x->target, want[i].target);
        assert_string_equal(x->rule, want[i].rule);
        assert_string_equal(x->reason, want[i].reason);
    }
    assert_null(bl_inf_suppression_at(inf, BL_ARRAY_LEN(want)));
    /* What is not a directive is said, never silently ignored. */
    bool bad12 = false, bad13 = false, dangling = false;
    for (uint32_t i = 0; i < bl_inf_diag_count(inf); i++) {
        const bl_inf_diag *d = bl_inf_diag_at(inf, i);
        bad12 |= d->line_no == 12 && strstr(d->message, "bootlens directive not understood") != NULL;
        bad13 |= d->line_no == 13 && strstr(d->message, "bootlens directive not understood") != NULL;
        dangling |= d->line_no == 18 && strstr(d->message, "no entry follows") != NULL;
    }
    assert_true(bad12 && bad13 && dangling);
    /* Quoted and %strkey% semicolons are not comments. */
    const bl_inf_section *sec = bl_inf_find_section(inf, "S");
    assert_string_equal(bl_inf_value_at(bl_inf_find_key(sec, "B", NULL), 0), "x;y");
    assert_string_equal(bl_inf_value_at(bl_inf_find_key(sec, "C", NULL), 0), "a ; b");
    bl_inf_free(inf);
}

static void test_shared_infs_parse(void **state)
{
    (void)state;
    BL_REQUIRE_SHARED(shared);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/infs", shared);
    corpus_stats st = {0};
    bl_test_for_each_inf(dir, parse_one, &st);
    fprintf(stderr, "  %u INFs under %s: %u failed, %u UTF-16, %u warnings\n", st.files, dir,
            st.failed, st.utf16, st.warnings);
    assert_true(st.files >= 100);
    assert_true(st.utf16 >= 1);
    assert_int_equal(st.failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_keys_values),
        cmocka_unit_test(test_duplicate_sections_merge),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_continuation),
        cmocka_unit_test(test_empty_and_missing_fields),
        cmocka_unit_test(test_equals_sign_rules),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_header_rules),
        cmocka_unit_test(test_strings_substitution),
        cmocka_unit_test(test_strings_problems),
        cmocka_unit_test(test_strings_locale),
        cmocka_unit_test(test_utf16le_bom),
        cmocka_unit_test(test_utf16le_without_bom),
        cmocka_unit_test(test_utf8_with_and_without_bom),
        cmocka_unit_test(test_ansi_fallback),
        cmocka_unit_test(test_invalid_utf16),
        cmocka_unit_test(test_version_info),
        cmocka_unit_test(test_include_needs),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_parse_decoration),
        cmocka_unit_test(test_models_selection),
        cmocka_unit_test(test_models_errors),
        cmocka_unit_test(test_install_section_selection),
        cmocka_unit_test(test_install_section_ties_and_targets),
        cmocka_unit_test(test_many_sections_stay_linear),
        cmocka_unit_test(test_dirids),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_missing_sections),
        cmocka_unit_test(test_header_without_bracket),
        cmocka_unit_test(test_binary_garbage),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_ctrl_z_ends_file),
        cmocka_unit_test(test_huge_line),
        cmocka_unit_test(test_expansion_bounds),
        cmocka_unit_test(test_item_bound),
        cmocka_unit_test(test_warning_cap),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_inline_suppressions),
        cmocka_unit_test(test_shared_infs_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
