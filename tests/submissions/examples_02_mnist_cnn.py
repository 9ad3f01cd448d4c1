"""Example submissions of 02_mnist_cnn and the exact outcome a careful instructor expects."""

from __future__ import annotations

from tests.submissions.variants import Variant

ASSIGNMENT = "02_mnist_cnn"

VARIANTS = [
    Variant(
        "wrong_missing_relu_conv2",
        "No ReLU after the second convolution: wrong architecture, but max-pooling keeps the network non-linear "
        "and it still learns well (shapes, parameter count and quality pass).",
        frozenset({"model_layers"}),
        {"MnistCNN": '''
class MnistCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.conv2 = nn.Sequential(nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.MaxPool2d(2))
        self.fc1 = nn.Sequential(nn.Linear(32 * 7 * 7, 128), nn.ReLU())
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv2(self.conv1(x))
        return self.fc2(self.fc1(torch.flatten(x, 1)))
'''},
    ),
    Variant(
        "wrong_missing_second_pool",
        "The second block has no max-pooling, and fc1 was resized to 32*14*14 to make it run: wrong layers, "
        "shapes (32x14x14, 6272) and parameter count (809 034); the network still learns.",
        frozenset({"model_layers", "model_shapes", "model_params"}),
        {"MnistCNN": '''
class MnistCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.conv2 = nn.Sequential(nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU())
        self.fc1 = nn.Sequential(nn.Linear(32 * 14 * 14, 128), nn.ReLU())
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv2(self.conv1(x))
        return self.fc2(self.fc1(x.view(x.size(0), -1)))
'''},
    ),
    Variant(
        "wrong_train_no_zero_grad",
        "optimizer.zero_grad() forgotten: gradients accumulate from batch to batch. Adam still lowers the loss of "
        "the reference CNN in one epoch, so only the update check fails.",
        frozenset({"train_updates"}),
        {"train_one_epoch": '''
def train_one_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total = 0.0
    for images, labels in loader:
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)
'''},
    ),
    Variant(
        "wrong_evaluate_count_train_mode",
        "evaluate without model.eval() nor torch.no_grad(), returning the number of correct predictions instead of "
        "a fraction: the predictions themselves are right.",
        frozenset({"evaluate_accuracy", "evaluate_eval_mode", "evaluate_no_grad", "evaluate_reference_cnn"}),
        {"evaluate": '''
def evaluate(model, loader):
    correct = 0
    predictions = []
    for images, labels in loader:
        outputs = model(images)
        predicted = outputs.argmax(dim=1)
        correct += (predicted == labels).sum().item()
        predictions.append(predicted)
    return correct, torch.cat(predictions).numpy()
'''},
    ),
    Variant(
        "wrong_confusion_transposed",
        "sklearn's confusion_matrix called with predictions and labels swapped: the matrix is transposed "
        "(rows = predictions); its total and diagonal are right, its rows are not.",
        frozenset({"confusion_counts", "confusion_from_tensors"}),
        {"compute_confusion_matrix": '''
def compute_confusion_matrix(y_true, y_pred, num_classes=10):
    return confusion_matrix(y_pred, y_true, labels=list(range(num_classes)))
'''},
        messages={"confusion_counts": "transposée"},
    ),
]
