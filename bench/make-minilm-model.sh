#!/usr/bin/env bash
# Writes a MiniLM-sized embedding model directory (L6 H384, 12 heads, random weights: the real model's FLOPs) to DIR:
# model.onnx from ../shared/tools/make_bert_like_onnx.py, a WordPiece vocab.txt of 21,128 entries (special tokens,
# then CJK characters, which the tokenizer splits one per token) and a 128-token limit.
# With --cross-encoder the graph gets a one-logit head on the [CLS] state (bench/add_cross_encoder_head.py): a reranker.
# usage: bench/make-minilm-model.sh DIR [--cross-encoder]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$1
mkdir -p "$DIR"
/usr/bin/python3 "$ROOT/../shared/tools/make_bert_like_onnx.py" --layers 6 --hidden 384 --heads 12 --vocab 21128 --out "$DIR/model.onnx" >/dev/null
python3 -c "
import sys
special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
chars = [chr(0x4E00 + i) for i in range(21128 - len(special))]
open(sys.argv[1], 'w', encoding='utf-8').write('\n'.join(special + chars) + '\n')" "$DIR/vocab.txt"
echo '{"model_max_length": 128}' > "$DIR/tokenizer_config.json"
if [ "${2:-}" = "--cross-encoder" ]; then
  /usr/bin/python3 "$ROOT/bench/add_cross_encoder_head.py" "$DIR/model.onnx" "$DIR/model.onnx"
fi
