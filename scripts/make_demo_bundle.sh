#!/usr/bin/env bash
# Builds the app's built-in demo (public/demo/) and the e2e folder fixture (e2e/fixtures/xray-folder/) from the
# Kermany pediatric pneumonia sample in ../shared/data (CC BY 4.0, 224x224 JPEG, see its README).
#
# Deterministic: files are sorted by name (C locale) per class; the demo takes the even positions (250 + 250),
# the e2e fixture takes odd positions only, so the two never share a file. The fixture's train/ and val/ are
# patient-disjoint: it uses only patients with a single image in the class (patient id from the file name, the
# same rule as src/data/layouts/classFolders.ts).
#
# Usage: scripts/make_demo_bundle.sh            (KERMANY_DIR=... overrides the source folder)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="${KERMANY_DIR:-$ROOT/../shared/data/kermany-pneumonia-224/dataset/train}"
DEMO="$ROOT/public/demo"
DEMO_ROOT="chest_xray_demo"
FIXTURE="$ROOT/e2e/fixtures/xray-folder"
CLASSES=(NORMAL PNEUMONIA)
DEMO_PER_CLASS=250
FIXTURE_TRAIN_PER_CLASS=16
FIXTURE_VAL_PER_CLASS=6

export LC_ALL=C
[ -d "$SRC/NORMAL" ] && [ -d "$SRC/PNEUMONIA" ] || { echo "missing $SRC/{NORMAL,PNEUMONIA}" >&2; exit 1; }

patient_of() { sed -E 's/^(person[0-9]+)_.*/\1/; s/^(NORMAL2-)?(IM-[0-9]+)-.*/\2/'; }

rm -rf "$DEMO/$DEMO_ROOT" "$FIXTURE"
mkdir -p "$DEMO/$DEMO_ROOT"
manifest_files=()

for class in "${CLASSES[@]}"; do
  mapfile -t all < <(ls "$SRC/$class" | grep -E '^[A-Za-z0-9._-]+\.(jpe?g|png)$' | sort)
  (( ${#all[@]} >= 2 * DEMO_PER_CLASS )) || { echo "$class: only ${#all[@]} files" >&2; exit 1; }

  mkdir -p "$DEMO/$DEMO_ROOT/$class"
  for ((i = 0; i < 2 * DEMO_PER_CLASS; i += 2)); do
    install -m 644 "$SRC/$class/${all[i]}" "$DEMO/$DEMO_ROOT/$class/${all[i]}"
    manifest_files+=("$DEMO_ROOT/$class/${all[i]}")
  done

  # Odd positions whose patient has exactly one image in this class.
  mapfile -t singles < <(
    for ((i = 1; i < ${#all[@]}; i += 2)); do
      name="${all[i]}"
      patient="$(printf '%s\n' "$name" | patient_of)"
      count="$(printf '%s\n' "${all[@]}" | patient_of | grep -cxF "$patient")"
      [ "$count" = 1 ] && printf '%s\n' "$name"
    done
  )
  need=$((FIXTURE_TRAIN_PER_CLASS + FIXTURE_VAL_PER_CLASS))
  (( ${#singles[@]} >= need )) || { echo "$class: only ${#singles[@]} single-image patients" >&2; exit 1; }
  mkdir -p "$FIXTURE/train/$class" "$FIXTURE/val/$class"
  for ((i = 0; i < need; i++)); do
    split=train; (( i >= FIXTURE_TRAIN_PER_CLASS )) && split=val
    install -m 644 "$SRC/$class/${singles[i]}" "$FIXTURE/$split/$class/${singles[i]}"
  done
done

{
  printf '{\n  "name": "Kermany pediatric pneumonia sample (demo)",\n  "files": [\n'
  for ((i = 0; i < ${#manifest_files[@]}; i++)); do
    sep=','; (( i == ${#manifest_files[@]} - 1 )) && sep=''
    printf '    "%s"%s\n' "${manifest_files[i]}" "$sep"
  done
  printf '  ]\n}\n'
} > "$DEMO/manifest.json"

cat > "$DEMO/SOURCE.md" <<'MD'
# Demo dataset: Kermany pediatric pneumonia sample

`chest_xray_demo/{NORMAL,PNEUMONIA}/` holds 250 + 250 pediatric chest radiographs (anterior-posterior), 224x224
JPEG as published in the resized copy below; `manifest.json` lists them so the app can load them through the same
ingest path as a dropped folder. Made by `scripts/make_demo_bundle.sh` (every other file, sorted by name).

- Source: Kermany D. S., Goldbaum M., Cai W. et al., "Identifying Medical Diagnoses and Treatable Diseases by
  Image-Based Deep Learning", Cell 172(5):1122–1131, 2018, doi:10.1016/j.cell.2018.02.010; data: Mendeley Data,
  doi:10.17632/rscbjbr9sj.2. Resized copy (224x224) from github.com/waliatushar/ai-pneumonia-detection.
- Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Images unchanged apart from the publisher's
  resize; labels are the folder names.
- Not for medical use: teaching and testing data.
MD

cat > "$ROOT/e2e/fixtures/SOURCE.md" <<'MD'
# e2e fixtures

`xray-folder/{train,val}/{NORMAL,PNEUMONIA}/`: 16 + 16 training and 6 + 6 validation pediatric chest radiographs
(224x224 JPEG), a class-folder layout with a split level, for the "Choose dataset folder" and folder-drop tests.
Made by `scripts/make_demo_bundle.sh`: none of these files is in the demo bundle, and train/val share no patient.

- Source: Kermany D. S. et al., "Identifying Medical Diagnoses and Treatable Diseases by Image-Based Deep
  Learning", Cell 172(5):1122–1131, 2018, doi:10.1016/j.cell.2018.02.010; data doi:10.17632/rscbjbr9sj.2;
  resized copy from github.com/waliatushar/ai-pneumonia-detection.
- Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).
- Not for medical use.
MD

echo "demo: ${#manifest_files[@]} files, $(du -sh "$DEMO" | cut -f1); fixture: $(find "$FIXTURE" -type f | wc -l) files, $(du -sh "$FIXTURE" | cut -f1)"
