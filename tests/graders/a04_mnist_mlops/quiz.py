"""The quiz of 04_mnist_mlops (saving formats, CI/CD, containers, monitoring): questions only, no answer here.

The answer key lives only in ``test_hidden.py``, which never ships and never enters the sandbox.
"""

from __future__ import annotations

from autograder.checks.qcm import Question


def _question(number: int, topic: str, text: str, *choices: str) -> Question:
    return Question(f"q{number:02d}", topic, text, tuple(zip("abcd", choices, strict=True)))


QUESTIONS = [
    _question(1, "format .keras ou .h5",
              "Pourquoi enregistrer le modèle en `.keras` plutôt qu'en `.h5` avec Keras 3 ?",
              "Le format `.h5` ne peut pas stocker les poids d'un réseau dense.",
              "Le `.h5` (HDF5) est un format hérité : Keras 3 le lit encore, mais son format natif est le `.keras`, "
              "une archive avec la configuration, les poids et les métadonnées du modèle.",
              "Le `.keras` est plus petit car il ne garde que l'architecture, sans les poids.",
              "Le `.h5` ne fonctionne qu'avec PyTorch."),
    _question(2, "étapes d'un pipeline CI/CD",
              "Dans quel ordre un pipeline CI/CD livre-t-il une nouvelle version de l'API ?",
              "Déploiement, puis tests, puis construction de l'image.",
              "Construction de l'image, déploiement, puis tests en production seulement.",
              "Tests, construction de l'image, envoi de l'image vers un registre, déploiement.",
              "Envoi du code source sur le serveur de production, puis `pip install` sur ce serveur."),
    _question(3, "cache des couches Docker",
              "Pourquoi copier `requirements.txt` et lancer `pip install` **avant** de copier `app.py` ?",
              "Docker exige que `RUN` précède toujours `COPY`.",
              "Pour que `pip` puisse lire `app.py` pendant l'installation.",
              "Pour réduire le nombre de ports exposés.",
              "Docker réutilise la couche des dépendances tant que `requirements.txt` ne change pas : modifier "
              "`app.py` ne relance pas l'installation."),
    _question(4, "écoute sur 0.0.0.0",
              "Pourquoi l'API du conteneur écoute-t-elle sur `0.0.0.0` et pas sur `127.0.0.1` ?",
              "`127.0.0.1` est l'interface de boucle locale du conteneur : les requêtes venues de l'hôte par le port "
              "publié (`-p 5000:5000`) n'y arriveraient pas ; `0.0.0.0` écoute sur toutes les interfaces.",
              "`0.0.0.0` désactive le port 5000.",
              "`127.0.0.1` est réservé à MLflow.",
              "Flask refuse l'adresse `127.0.0.1`."),
    _question(5, "dérive des données",
              "Que désigne la dérive des données (*data drift*) d'un modèle en production ?",
              "Une baisse de la latence du serveur.",
              "La distribution des entrées reçues en production s'éloigne de celle des données d'entraînement.",
              "Le changement de version de Python dans l'image.",
              "La croissance du nombre de runs dans MLflow."),
    _question(6, "surveiller le modèle sans étiquettes",
              "En production, les vraies étiquettes des images reçues sont inconnues. Quel indicateur signale "
              "pourtant un problème du **modèle** ?",
              "Le taux d'occupation du disque du serveur.",
              "Le nombre de requêtes par seconde.",
              "La distribution des classes prédites et la confiance moyenne (probabilité maximale), comparées à "
              "celles mesurées sur le jeu de test.",
              "Le temps de construction de l'image Docker."),
]
