#!/usr/bin/python3
"""multitool_check.py LOG — reads the SARIF log that `Sarif.Multitool
validate` wrote and fails on every error, warning and note it reports,
except the pieces of advice bootlens deliberately does not follow: those are
listed in ACCEPTED by rule and message id, with the reason.  Anything else,
including a new kind of note, fails, so that it is looked at."""
import json
import sys

ACCEPTED = {
    # Results carry message.text, which GitHub code scanning shows as is;
    # message ids with arguments would need every consumer to resolve them.
    ("SARIF2002", "Note_Default"): "message.text instead of message ids and arguments",
    # bootlens does not know the repository it runs in (no VCS metadata).
    ("SARIF2003", "Note_Default"): "no versionControlProvenance",
    # Rule ids are the stable, documented ids (doc/rules.md), not "BL1001".
    ("SARIF2009", "Note_UseConventionalRuleIds"): "rule ids are readable names, never renamed",
    # A public URL for the docs is not known: a made-up helpUri or
    # informationUri is worse than none (the help text is in the log).
    ("SARIF2012", "Note_ProvideHelpUri"): "no helpUri (the help is in the log itself)",
    ("SARIF2005", "Warning_ProvideToolnformationUri"): "no informationUri (no public home page to point at)",
    # A region snippet / context region would copy INF text into the log.
    ("SARIF2010", "Note_Default"): "no region snippets",
    ("SARIF2011", "Note_Default"): "no context regions",
}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        log = json.load(f)
    bad = 0
    notes = {}
    for run in log.get("runs", []):
        rules = {r["id"]: r for r in run.get("tool", {}).get("driver", {}).get("rules", [])}
        for res in run.get("results", []):
            rid = res.get("ruleId", "?")
            level = res.get("level") or rules.get(rid, {}).get("defaultConfiguration", {}).get("level", "warning")
            msg = res.get("message", {})
            args = msg.get("arguments") or []
            where = ""
            for loc in res.get("locations", []):
                where = loc.get("physicalLocation", {}).get("artifactLocation", {}).get("uri", "")
            key = (rid, msg.get("id", ""))
            if key in ACCEPTED:
                notes[key] = notes.get(key, 0) + 1
                continue
            text = msg.get("text")
            if not text:
                tmpl = rules.get(rid, {}).get("messageStrings", {}).get(msg.get("id", ""), {}).get("text", "")
                text = tmpl
                for i, a in enumerate(args):
                    text = text.replace("{%d}" % i, str(a))
            print(f"{where}: {level} {rid}: {text[:400]}")
            bad += 1
    summary = ", ".join(f"{k[0]} x{v} ({ACCEPTED[k]})" for k, v in sorted(notes.items()))
    print(f"multitool: {bad} error(s)/warning(s)/note(s); accepted advice: {summary or 'none'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
