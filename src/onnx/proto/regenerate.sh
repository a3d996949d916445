#!/bin/sh
# Regenerates onnx_pb.ts (message types and schemas for @bufbuild/protobuf)
# from onnx.proto3, the ONNX project's published proto3 schema, copied
# unchanged from its release v1.22.0 (commit 2bb50465112feca9003e1ed654d77f01ff1415ca).
#
# Needs protoc (Debian: apt-get install protobuf-compiler) and the code
# generator of the runtime we depend on, at the runtime's version:
#   sh src/onnx/proto/regenerate.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --silent @bufbuild/protoc-gen-es@2.17.0)
protoc --plugin=protoc-gen-es="$tmp/node_modules/.bin/protoc-gen-es" \
  --es_out="$tmp" --es_opt=target=ts,import_extension=js \
  -I "$here" onnx.proto3
mv "$tmp/onnx.proto3_pb.ts" "$here/onnx_pb.ts"
