#!/usr/bin/env bash
# The wasm-rnn command line on real data (Brown corpus topics and prose), every
# command once, then a few mistakes and what they say. Run from the repository
# after `npm run build`:   bash examples/cli-walkthrough.sh
# (installed from npm, the command is just `wasm-rnn`: WASM_RNN=wasm-rnn bash ...)
cd "$(dirname "$0")/.."
WASM_RNN=${WASM_RNN:-"node dist/cli.js"}
# print the command as typed (arguments with spaces in double quotes), run it, show its exit code
run() {
  local shown=() a
  for a in "$@"; do [[ $a =~ [[:space:]] || -z $a ]] && shown+=("\"$a\"") || shown+=("$a"); done
  echo "\$ wasm-rnn ${shown[*]}"
  $WASM_RNN "$@"
  echo "[exit $?]"
  echo
}

node examples/make-cli-data.mjs
echo
run --help
run train --help

# first names -> gender: as words every new name is unknown (the warning says so); as characters it learns
run train --data examples/out/names-train.csv --text-column name --label-column gender --units 32 --embedding-dim 16 --epochs 4 --out examples/out/names-words.wrnn
run train --data examples/out/names-train.csv --text-column name --label-column gender --split character --ngrams 2 --units 32 --embedding-dim 16 \
  --epochs 4 --out examples/out/names.wrnn
run evaluate --model examples/out/names.wrnn --data examples/out/names-test.csv
run predict --model examples/out/names.wrnn Emma Oliver Sasha
echo '$ wasm-rnn predict --model examples/out/names.wrnn --data examples/out/names-test.csv | head -n 2'
$WASM_RNN predict --model examples/out/names.wrnn --data examples/out/names-test.csv | head -n 2
echo "[exit \${PIPESTATUS[0]}]"
echo

# a 6-topic classifier; --class-weight balanced because the topics are unequal
run train --data examples/out/topics-train.csv --model gru --units 32 --embedding-dim 32 --dropout 0.5 \
  --max-len 80 --max-tokens 10000 --stop-words en --class-weight balanced --epochs 8 --out examples/out/topics.wrnn
# scored on passages of documents it never saw
run evaluate --model examples/out/topics.wrnn --data examples/out/topics-test.csv
run predict --model examples/out/topics.wrnn \
  "The senator said on Tuesday that the committee would vote on the bill next week." \
  "Sand the edges lightly, then apply a second coat of varnish."
run predict --model examples/out/topics.wrnn --data examples/out/topics-test.csv --out examples/out/predictions.jsonl
head -n 2 examples/out/predictions.jsonl
echo

# a small grid; a document's passages never straddle folds (--group-column)
run tune --data examples/out/topics-train.csv --group-column doc --model gru --units 16,32 --lr 0.003,0.01 --dropout 0.5 \
  --embedding-dim 32 --max-len 80 --max-tokens 10000 --stop-words en --folds 3 --epochs 4 --patience 1 --metric f1 \
  --results examples/out/tune-results.csv --out examples/out/topics-best.wrnn

# a character language model, then text from it
run train-lm --text examples/out/romance.txt --level character --units 256 --epochs 8 --seq-len 100 --out examples/out/romance-lm.wrnn
run generate --model examples/out/romance-lm.wrnn --prompt "She looked at him" --length 200 --temperature 0.7 --top-k 10 --seed 1

# mistakes: one line each, exit 1 (bad input) or 2 (bad usage)
printf 'text,label\nsome text,spam\nmore text,spam\n' > examples/out/one-class.csv
run train --data examples/out/one-class.csv --out examples/out/x.wrnn
printf 'text,label\n"an unclosed quote,ham\n' > examples/out/broken.csv
run train --data examples/out/broken.csv --out examples/out/x.wrnn
printf 'text,label\ncaf\xe9 au lait,ham\n' > examples/out/latin1.csv
printf '\x89HDF\r\n\x1a\n' > examples/out/x.h5
run train --data examples/out/latin1.csv --out examples/out/x.wrnn
run train --data examples/out/topics-train.csv --text-column body --out examples/out/x.wrnn
run train --data examples/out/topics-train.csv --epochs ten --out examples/out/x.wrnn
run train --data examples/out/topics-train.csv --epoch 3 --out examples/out/x.wrnn
run predict --model examples/out/x.h5 "hello"

run predict --model README.md "hello"
run generate --model examples/out/topics.wrnn --prompt "The"
run train --data examples/out/topics-train.csv
run fly
