"""The quiz of 08_attention (self-attention against cross-attention): its questions, as the student notebook shows
them (no answer here). The answer key lives only in ``test_hidden.py``, which never ships and never enters the
sandbox."""

from __future__ import annotations

from autograder.checks.qcm import Question


def _question(number: int, topic: str, text: str, *choices: str) -> Question:
    return Question(f"q{number:02d}", topic, text, tuple(zip("abcd", choices, strict=True)))


QUESTIONS = [
    _question(1, "auto-attention", "Dans une couche d'**auto-attention** (*self-attention*) appliquée à une séquence "
              "X, d'où viennent les requêtes, les clés et les valeurs ?",
              "Les requêtes de X, les clés et les valeurs d'une autre séquence.",
              "Toutes les trois de la même séquence X (chacune par sa propre projection apprise).",
              "Les clés de X, les requêtes et les valeurs de la sortie du modèle.",
              "Des vecteurs fixés au hasard, qui ne dépendent pas de X."),
    _question(2, "cross-attention", "Dans le modèle séquence à séquence de ce TP, la couche "
              "`layers.Attention()([sorties du décodeur, sorties de l'encodeur])` est une **cross-attention** : "
              "que regarde chaque pas du décodeur ?",
              "Les autres pas du décodeur, y compris les pas futurs.",
              "Uniquement son propre état, sans regarder l'encodeur.",
              "Les 50 pas de l'encodeur : ses requêtes viennent du décodeur, les clés et les valeurs de l'encodeur.",
              "Les vraies valeurs futures de la série."),
    _question(3, "forme des poids", "Requêtes de forme (batch, 10, d), clés et valeurs de forme (batch, 50, d) : "
              "quelle est la forme des poids d'attention ?",
              "(batch, 10, 50) : un poids par couple (requête, clé), chaque ligne somme à 1.",
              "(batch, 50, 10) : chaque colonne somme à 1.",
              "(batch, 10, d).", "(batch, 50, 50)."),
    _question(4, "masque causal", "Pourquoi l'auto-attention d'un **décodeur** génératif (par exemple un "
              "Transformer qui prévoit la suite d'une série) utilise-t-elle un masque causal ?",
              "Pour accélérer le calcul de la softmax.",
              "Pour que chaque position ne regarde que les positions passées : à l'inférence, le futur n'est pas "
              "encore connu.",
              "Pour ignorer les positions de remplissage (padding) de l'encodeur.",
              "Pour que les poids d'attention ne somment plus à 1."),
    _question(5, "coût de l'auto-attention", "Comment croît le coût (calcul et mémoire des poids) de "
              "l'auto-attention avec la longueur T de la séquence ?",
              "Comme T (linéairement).", "Comme log T.", "Il ne dépend pas de T.",
              "Comme T² : un score pour chaque couple de positions."),
    _question(6, "mise à l'échelle", "Pourquoi divise-t-on les scores Q·Kᵀ par √d_k ?",
              "Pour que les poids somment à 1.",
              "Parce que la variance d'un produit scalaire croît avec d_k : sans cela, la softmax sature et ses "
              "gradients s'évanouissent.",
              "Pour rendre les poids d'attention négatifs.",
              "Pour réduire le nombre de paramètres de la couche."),
]
