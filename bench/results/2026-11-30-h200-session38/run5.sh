set -u
mkdir -p $OUT
export FADSL_LOG=0
for b in lead p192; do
  for d in 192 128; do
    echo "== build-$b hd$d"
    FADSL_CACHE_DIR=/tmp/fc-$b FADSL_LIBRARY=$PWD/build-$b/libfadsl.so timeout 120 python3 bench/chunked_prefill.py --head-dim $d
  done
done > $OUT/chunked.txt 2>&1
cat $OUT/chunked.txt
