#!/usr/bin/python3
"""Reference ids for the SentencePiece Unigram fixture, from the official SentencePiece library (python3-sentencepiece).

Usage (Debian python3 with python3-sentencepiece): /usr/bin/python3 bench/spm-unigram-fixture.py <sentencepiece.model> <token-ids.minilm.json> <out.json>
Encodes every fixture string (the texts of the WordPiece fixture) with <s> and </s> around it (XLM-R's single-text
layout) and writes [{"Text": ..., "Ids": [...]}]. Also writes, beside <out.json>, spm-unigram-json/tokenizer.json: the
same pieces and scores as a Hugging Face Unigram tokenizer.json (Metaspace, unk_id, <s> … </s>), for the service's own
Unigram model, which loads tokenizer.json-only models. The model itself comes from (Debian package sentencepiece, num_threads=1):
  spm_train --input=corpus.txt --model_prefix=sentencepiece --vocab_size=3000 --model_type=unigram
            --character_coverage=0.98 --num_threads=1 --input_sentence_size=0 --shuffle_input_sentence=false
over the context_text of ../shared/data/cmrc2018_trial.json and squad_v1.1_dev_trial.json, one context per line.
"""
import json
import sys

import sentencepiece

model, texts, out = sys.argv[1:4]
sp = sentencepiece.SentencePieceProcessor(model_file=model)
entries = [{"Text": e["Text"], "Ids": sp.encode(e["Text"], add_bos=True, add_eos=True)} for e in json.load(open(texts, encoding="utf-8"))]
with open(out, "w", encoding="utf-8") as f:
    json.dump(entries, f, ensure_ascii=False)
print(f"{out}: {len(entries)} strings, {sum(len(e['Ids']) for e in entries)} ids (sentencepiece {sentencepiece.__version__})")

bos, eos = sp.id_to_piece(sp.bos_id()), sp.id_to_piece(sp.eos_id())
tokenizer = {
    "version": "1.0",
    "normalizer": {"type": "NFKC"},
    "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "add_prefix_space": True},
    "post_processor": {"type": "RobertaProcessing", "sep": [eos, sp.eos_id()], "cls": [bos, sp.bos_id()]},
    "model": {"type": "Unigram", "unk_id": sp.unk_id(), "vocab": [[sp.id_to_piece(i), sp.get_score(i)] for i in range(sp.get_piece_size())]},
}
import os
folder = os.path.join(os.path.dirname(out), "spm-unigram-json")
os.makedirs(folder, exist_ok=True)
with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
    json.dump(tokenizer, f, ensure_ascii=False)
