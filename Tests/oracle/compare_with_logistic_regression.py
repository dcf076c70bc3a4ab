"""Held-out accuracy of `backprop train` with default settings against logistic regression,
on real two-feature data sets with raw, unscaled features (scikit-learn's bundled copies).

Five stratified 70/30 splits per data set; prints the mean test accuracy of each.
usage: python3 compare_with_logistic_regression.py [PATH/TO/backprop]
needs: pip install scikit-learn numpy
"""
import tempfile
import numpy as np, subprocess, json, sys
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
from sklearn.model_selection import train_test_split
B = sys.argv[1] if len(sys.argv) > 1 else ".build/release/backprop"
def sets():
    d = load_breast_cancer(); f = list(d.feature_names)
    yield "breast cancer: worst area, worst smoothness", d.data[:, [f.index("worst area"), f.index("worst smoothness")]], (d.target == 1)
    yield "breast cancer: mean radius, mean texture", d.data[:, [0, 1]], d.target == 1
    d = load_iris(); yield "iris: sepal length/width, versicolor vs rest", d.data[:, [0, 1]], d.target == 1
    d = load_wine(); yield "wine: alcohol, proline, class 0 vs rest", d.data[:, [0, 12]], d.target == 0
tmp = tempfile.mkdtemp()
for name, X, y in sets():
    accs = {"backprop": [], "logreg": [], "logreg-raw": []}
    for seed in range(5):
        Xtr, Xte, ytr, yte = train_test_split(X, y.astype(int), test_size=0.3, random_state=seed, stratify=y)
        np.savetxt(f"{tmp}/tr.csv", np.column_stack([Xtr, ytr]), delimiter=",", fmt="%.17g")
        np.savetxt(f"{tmp}/te.csv", np.column_stack([Xte, yte]), delimiter=",", fmt="%.17g")
        subprocess.run([B, "train", "--data", f"{tmp}/tr.csv", "--save", f"{tmp}/m.json", "--quiet"], check=True)
        r = json.loads(subprocess.run([B, "evaluate", "--model", f"{tmp}/m.json", "--data", f"{tmp}/te.csv", "--json"], check=True, capture_output=True, text=True).stdout)
        accs["backprop"].append(r["accuracy"])
        accs["logreg"].append(make_pipeline(StandardScaler(), LogisticRegression()).fit(Xtr, ytr).score(Xte, yte))
        accs["logreg-raw"].append(LogisticRegression(max_iter=10000).fit(Xtr, ytr).score(Xte, yte))
    print(f"{name}: n={len(y)}  " + "  ".join(f"{k} {np.mean(v):.4f}" for k, v in accs.items()))
