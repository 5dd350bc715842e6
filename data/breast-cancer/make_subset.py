"""Rebuilds breast-cancer.csv from scikit-learn's copy of the UCI Wisconsin diagnostic data.

Usage: python3 make_subset.py ../../../shared/datasets/sklearn/breast_cancer.csv
Keeps all 569 rows in their original order and every value exactly as written in the
source. scikit-learn's first line ("569,30,malignant,benign") is replaced by a header naming
the 30 features and a 'diagnosis' column, whose 0/1 codes become the words 'malignant' and
'benign' (the order the source's first line gives).
"""
import sys

MEASURES = ["radius", "texture", "perimeter", "area", "smoothness", "compactness",
            "concavity", "concave_points", "symmetry", "fractal_dimension"]
FEATURES = [f"{stat}_{m}" for stat in ("mean", "se", "worst") for m in MEASURES]


def main(source):
    with open(source, encoding="ascii") as f:
        lines = [line.strip() for line in f if line.strip()]
    count, width, *names = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    if int(count) != len(rows) or int(width) != len(FEATURES) or any(len(r) != len(FEATURES) + 1 for r in rows):
        raise SystemExit("the source does not have the expected shape")
    with open("breast-cancer.csv", "w", encoding="ascii", newline="\n") as out:
        out.write(",".join(FEATURES + ["diagnosis"]) + "\n")
        for r in rows:
            out.write(",".join(r[:-1] + [names[int(r[-1])]]) + "\n")
    print(f"breast-cancer.csv: {len(rows)} rows")


if __name__ == "__main__":
    main(sys.argv[1])
