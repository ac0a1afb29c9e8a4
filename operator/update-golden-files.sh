#!/usr/bin/env bash
# Regenerates the reviewed render output the golden tests compare against. Run it after an
# intended change of the desired state, review `git diff operator/src/test/resources/golden`,
# and commit the files with the change. Tests never write these files.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl operator compile
classpath_file=$(mktemp)
./mvnw -B -q -pl operator dependency:build-classpath -Dmdep.outputFile="$classpath_file"
classpath="operator/target/classes:$(cat "$classpath_file")"
for example in sample-service/deploy/*.yaml; do
  for version in 1.28 1.29 1.33; do
    out="operator/src/test/resources/golden/$(basename "$example" .yaml)@$version.yaml"
    java -cp "$classpath" dev.operated.cli.OperatedCli render -f "$example" \
      --kubernetes-version "$version" > "$out"
    echo "wrote $out"
  done
done
rm -f "$classpath_file"
