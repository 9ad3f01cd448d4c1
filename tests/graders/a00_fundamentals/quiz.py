"""The quiz of 00_fundamentals: its 24 questions, as the student notebook shows them (no answer here).

The answer key lives only in ``test_hidden.py``, which never ships and never enters the sandbox.
"""

from __future__ import annotations

from autograder.checks.qcm import Question


def _question(number: int, topic: str, text: str, *choices: str) -> Question:
    return Question(f"q{number:02d}", topic, text, tuple(zip("abcd", choices, strict=True)))


QUESTIONS = [
    _question(1, "neurone", "Que calcule un neurone artificiel ?",
              "Le maximum de ses entrées, sans paramètre à apprendre.",
              "La somme de ses entrées pondérées par des poids, plus un biais, passée dans une fonction "
              "d'activation.",
              "La moyenne de ses poids, sans tenir compte des entrées.",
              "Le produit de ses entrées, passé dans la fonction de perte."),
    _question(2, "rôle des activations", "Pourquoi place-t-on des fonctions d'activation dans un réseau ?",
              "Pour introduire de la non-linéarité : sans elles, un empilement de couches reste une fonction "
              "linéaire.",
              "Pour normaliser les données d'entrée entre 0 et 1.",
              "Pour réduire le nombre de paramètres du réseau.",
              "Pour mélanger les exemples à chaque époque."),
    _question(3, "ReLU", "Que renvoie `torch.relu(torch.tensor([-1.0, 0.0, 1.0]))` ?",
              "`tensor([-1., 0., 1.])`", "`tensor([1., 0., 1.])`", "`tensor([0., 0., 1.])`",
              "`tensor([0.2689, 0.5000, 0.7311])`"),
    _question(4, "sortie d'un classifieur binaire",
              "Quelle activation placer en sortie d'un classifieur binaire qui prédit la probabilité de la "
              "classe 1 ?",
              "ReLU.", "Sigmoïde.", "Aucune activation.", "Tangente hyperbolique (valeurs entre −1 et 1)."),
    _question(5, "softmax", "Que produit softmax appliquée aux K scores d'un classifieur à K classes ?",
              "L'indice de la classe de plus grand score.",
              "K valeurs entre −1 et 1.",
              "Le score maximal, les autres étant mis à 0.",
              "K valeurs positives de somme 1, que l'on lit comme des probabilités."),
    _question(6, "torch.linspace", "Que renvoie `torch.linspace(0, 10, 5)` ?",
              "`tensor([0, 2, 4, 6, 8])`", "`tensor([0., 2., 4., 6., 8., 10.])`",
              "`tensor([0.0, 2.5, 5.0, 7.5, 10.0])`", "Cinq valeurs tirées au hasard entre 0 et 10."),
    _question(7, "torch.arange", "Que renvoie `torch.arange(0, 10, 2)` ?",
              "`tensor([0, 2, 4, 6, 8])`", "`tensor([0, 2, 4, 6, 8, 10])`",
              "`tensor([0.0, 2.5, 5.0, 7.5, 10.0])`", "`tensor([2, 4, 6, 8, 10])`"),
    _question(8, "autograd",
              "Après `x = torch.tensor(1.0, requires_grad=True)`, `y = x ** 2` et `y.backward()`, que vaut "
              "`x.grad` ?",
              "`tensor(1.)`", "`None` : backward() ne remplit pas x.grad.", "`tensor(0.)`", "`tensor(2.)`"),
    _question(9, "rétropropagation", "À quoi sert la rétropropagation (backpropagation) ?",
              "À calculer le gradient de la perte par rapport à chaque poids, pour ajuster les poids et réduire "
              "l'erreur.",
              "À faire passer les données de la sortie vers l'entrée pour prédire.",
              "À découper le jeu de données en lots.",
              "À choisir automatiquement le nombre de couches."),
    _question(10, "couche dense",
              "Combien de paramètres (poids et biais) compte la couche dense `nn.Linear(in_features=3, "
              "out_features=2)` ?",
              "5", "6", "8", "9"),
    _question(11, "train_test_split",
              "`train_test_split(X, y, test_size=0.2)` sur 1 000 exemples : combien d'exemples dans le jeu de "
              "test ?",
              "20", "200", "800", "2"),
    _question(12, "époque", "Une époque (epoch), c'est :",
              "une mise à jour des poids calculée sur un seul lot ;",
              "un passage complet sur toutes les données d'entraînement ;",
              "le temps de calcul d'une prédiction ;",
              "un sous-ensemble de 32 exemples."),
    _question(13, "DataLoader",
              "`DataLoader(dataset, batch_size=32, shuffle=True)` sur 1 000 exemples produit, à chaque époque :",
              "31 lots de 32 exemples ; les 8 derniers exemples sont ignorés ;",
              "32 lots dans le même ordre à chaque époque ;",
              "1 000 lots d'un exemple ;",
              "32 lots (31 de 32 exemples et un dernier de 8), dans un ordre mélangé à chaque époque."),
    _question(14, "perte pour la régression", "Quelle fonction de perte PyTorch pour une régression ?",
              "`nn.BCELoss()`", "`nn.Sigmoid()`", "`nn.MSELoss()`", "`torch.optim.SGD(...)`"),
    _question(15, "entropie croisée binaire", "`nn.BCELoss()` attend comme prédictions :",
              "des probabilités entre 0 et 1, par exemple la sortie d'une sigmoïde ;",
              "des valeurs quelconques, positives ou négatives ;",
              "des indices de classes entiers ;",
              "des vecteurs one-hot à 10 composantes."),
    _question(16, "pas de descente de gradient",
              "Quelle est la mise à jour d'une étape de descente de gradient (α : taux d'apprentissage) ?",
              "θ ← θ + α · f'(θ)", "θ ← θ · α", "θ ← θ − f'(θ) / α", "θ ← θ − α · f'(θ)"),
    _question(17, "remise à zéro du gradient",
              "Dans la boucle de descente de gradient de la fiche, pourquoi remet-on le gradient de θ à zéro "
              "(`zero_()`) avant chaque `backward()` ?",
              "Pour remettre θ à sa valeur initiale.",
              "Parce que PyTorch additionne les gradients à chaque backward() : sans remise à zéro, on "
              "utiliserait la somme des gradients précédents.",
              "Pour arrêter la boucle quand le gradient est nul.",
              "Pour désactiver le calcul du gradient pendant la mise à jour."),
    _question(18, "taux d'apprentissage trop grand", "Que risque-t-on avec un taux d'apprentissage α trop grand ?",
              "Une convergence plus lente, mais toujours garantie.",
              "Rien : seul le nombre d'itérations compte.",
              "Des pas trop grands : la descente oscille autour du minimum ou diverge.",
              "Un gradient toujours nul."),
    _question(19, "momentum",
              "Que change `torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)` par rapport au SGD "
              "simple ?",
              "Chaque pas ajoute 0,9 fois le pas précédent (une « vitesse ») : la descente accélère dans les "
              "directions constantes et oscille moins.",
              "Le taux d'apprentissage est multiplié par 0,9 à chaque époque.",
              "L'entraînement s'arrête quand la perte stagne.",
              "90 % des gradients sont ignorés à chaque pas."),
    _question(20, "EarlyStopping",
              "Que fait le callback `EarlyStopping(monitor='val_loss', patience=5)` passé à `model.fit` ?",
              "Il arrête l'entraînement après exactement 5 époques.",
              "Il sauvegarde le modèle toutes les 5 époques.",
              "Il arrête l'entraînement quand la perte de validation ne s'est pas améliorée depuis 5 époques.",
              "Il divise le taux d'apprentissage par 5."),
    _question(21, "history", "Après `history = model.fit(...)`, que contient `history.history['loss']` ?",
              "Les prédictions du modèle sur le jeu d'entraînement.",
              "La perte sur le jeu de test, calculée une fois à la fin.",
              "Les poids du modèle à chaque époque.",
              "La perte d'entraînement à la fin de chaque époque."),
    _question(22, "exemple de convolution",
              "Image 3×3 `[[1, 2, 3], [4, 5, 6], [7, 8, 9]]`, noyau 2×2 `[[1, 0], [0, -1]]`, sans remplissage, "
              "pas de 1, sans retourner le noyau (comme Conv2D) : quelle carte de caractéristiques obtient-on ?",
              "`[[4, 4], [4, 4]]`", "Une matrice 3×3.", "`[[1, 2], [4, 5]]`", "`[[-4, -4], [-4, -4]]`"),
    _question(23, "forme de sortie d'une convolution",
              "`Conv2D(8, (3, 3), padding='same', strides=3)` appliquée à une image 28×28×1 : quelle forme de "
              "sortie ?",
              "28×28×8", "10×10×8", "26×26×8", "9×9×8"),
    _question(24, "BatchNormalization", "À quoi sert `BatchNormalization()` dans le CNN de la fiche ?",
              "À normaliser les activations sur chaque lot (moyenne 0, variance 1, puis échelle et décalage "
              "appris), ce qui stabilise et accélère l'entraînement.",
              "À diviser la hauteur et la largeur des cartes par 2.",
              "À convertir les étiquettes en vecteurs one-hot.",
              "À mélanger les exemples de chaque lot."),
]
