#!/usr/bin/env python3
"""Builds the measured PDF corpus from passages of ../shared/data (CMRC 2018 trial, SQuAD v1.1 dev trial).

For each document it writes <name>.json (ground truth: the text in reading order, the headings with levels, the
running header/footer strings) and <name>.html, then prints the HTML with headless Chromium (fonts-noto-cjk:
subset-embedded CID fonts with ToUnicode maps, running header/footer from @page margin boxes, an outline) into
chromium/<name>.pdf and re-distills that with Ghostscript's pdfwrite into ghostscript/<name>.pdf.
PDFsharp PDFs are built from the same JSON by the bench/tests at run time (PDFsharp is a test dependency).
Usage: tests/pdf-corpus/make_corpus.py  (needs chromium, fonts-noto-cjk, ghostscript; run once, output committed).
"""
import html, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "shared", "data")
if not os.path.isdir(DATA):
    DATA = "/work/shared/data"

zh = [d["context_text"] for d in json.load(open(os.path.join(DATA, "cmrc2018_trial.json"), encoding="utf-8"))]
en = [d["context_text"] for d in json.load(open(os.path.join(DATA, "squad_v1.1_dev_trial.json"), encoding="utf-8"))]
def first_sentences(text, limit=110):
    # Whole sentences up to the limit: fewer distinct CJK glyphs keep the embedded font subsets (and the corpus) small.
    out = ""
    for sentence in re.findall(r"[^。！？]+[。！？]", text):
        if len(out) + len(sentence) > limit:
            break
        out += sentence
    return out

zh = [s for s in (first_sentences(p) for p in zh) if len(s) >= 50]
en = [p for p in en if 400 <= len(p) <= 900]

def soft_hyphens(text):
    # Long Latin words get soft hyphens, so justified lines end in real hyphenation the extractor must undo.
    return re.sub(r"[A-Za-z]{10,}", lambda m: m.group(0)[:5] + "\u00ad" + m.group(0)[5:], text)

def doc(name, title, header, sections, two_column=False, hyphenate=False, lang="zh", fonts="'Noto Sans CJK SC', sans-serif"):
    """sections: list of (h2, [(h3 or None, [paragraphs])])"""
    headings = [{"text": title, "level": 1}]
    body = [title]
    parts = [f"<h1>{html.escape(title)}</h1>"]
    for i, (h2, subs) in enumerate(sections):
        headings.append({"text": h2, "level": 2})
        body.append(h2)
        cls = ' class="cols"' if two_column and i == 0 else ""
        sec = [f"<h2>{html.escape(h2)}</h2>"]
        for h3, paras in subs:
            if h3:
                headings.append({"text": h3, "level": 3})
                body.append(h3)
                sec.append(f"<h3>{html.escape(h3)}</h3>")
            for p in paras:
                body.append(p)
                shown = soft_hyphens(p) if hyphenate else p
                sec.append(f"<p>{html.escape(shown)}</p>")
        brk = ' style="break-before: page"' if i > 0 else ""
        parts.append(f"<section{cls}{brk}>" + "".join(sec) + "</section>")
    footer = "Page # of #"
    page = f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
@page {{ size: A4; margin: 22mm 20mm;
  @top-center {{ content: "{header}"; font: 9pt {fonts}; color: #444 }}
  @bottom-center {{ content: "Page " counter(page) " of " counter(pages); font: 9pt {fonts}; color: #444 }} }}
body {{ font: 11pt/1.5 {fonts}; {'text-align: justify;' if hyphenate else ''} }}
h1 {{ font-size: 22pt }} h2 {{ font-size: 16pt }} h3 {{ font-size: 13pt }}
.cols {{ column-count: 2; column-gap: 12mm }}
</style></head><body>{''.join(parts)}</body></html>"""
    with open(os.path.join(HERE, name + ".html"), "w", encoding="utf-8") as f:
        f.write(page)
    truth = {"name": name, "title": title, "text": "\n".join(body), "headings": headings, "running": [header, footer]}
    with open(os.path.join(HERE, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)
    return name

# Skia writes CFF-outlined fonts (Noto Sans CJK) as Type 3 fonts and TrueType fonts (DejaVu Sans, Droid Sans
# Fallback) as CID fonts with ToUnicode maps: zh-manual covers the first case, the other two the second.
TRUETYPE = "'DejaVu Sans', 'Droid Sans Fallback', sans-serif"

docs = [
    doc("zh-manual", "游戏与城市资料手册", "RagService 测试语料 · 资料手册", [
        ("第一章 游戏", [("1.1 玩法", [zh[0], zh[1]]), ("1.2 运营", [zh[2]])]),
        ("第二章 历史", [("2.1 背景", [zh[3]]), ("2.2 影响", [zh[4]])]),
        ("第三章 地理", [(None, [zh[5]])]),
    ]),
    doc("mixed-two-column", "Mixed Reference 中英对照", "RagService corpus · two columns", [
        ("Overview 概述", [(None, [en[0], zh[6], en[1], zh[7]])]),
        ("Details 细节", [("Numbers", [en[2]]), ("数字", [zh[8]])]),
    ], two_column=True, fonts=TRUETYPE),
    doc("en-report", "Annual Football Report", "RagService corpus · annual report", [
        ("Season Summary", [("The Final Game", [en[3], en[4]]), ("Broadcasting", [en[5]])]),
        ("Teams and Players", [("Offense", [en[6], en[7]]), ("Defense", [en[8], en[9]])]),
    ], hyphenate=True, lang="en", fonts=TRUETYPE),
]

os.makedirs(os.path.join(HERE, "chromium"), exist_ok=True)
os.makedirs(os.path.join(HERE, "ghostscript"), exist_ok=True)
for name in docs:
    src = os.path.join(HERE, name + ".html")
    out = os.path.join(HERE, "chromium", name + ".pdf")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    "--generate-pdf-document-outline", f"--print-to-pdf={out}", "file://" + src],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=pdfwrite",
                    f"-sOutputFile={os.path.join(HERE, 'ghostscript', name + '.pdf')}", out], check=True)
    os.remove(src)
    print(name, os.path.getsize(out), "bytes")
