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
    Variant(
        "valid_functional_layers",
        "Another correct style: named layers with F.relu / F.max_pool2d and x.view in forward; train_one_epoch "
        "zeroing the gradients after each step and averaging per example; evaluate under torch.inference_mode() "
        "with torch.max; the confusion matrix counted with numpy (np.add.at); the graph's params as a dict "
        "comprehension. Full marks.",
        frozenset(),
        {
            "MnistCNN": """
import torch.nn.functional as F


class MnistCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), kernel_size=2, stride=2)
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))
""",
            "train_one_epoch": """
def train_one_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total, seen = 0.0, 0
    for batch_images, batch_labels in loader:
        outputs = model(batch_images)
        loss = loss_fn(outputs, batch_labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        total += loss.item() * batch_images.size(0)
        seen += batch_images.size(0)
    return total / seen
""",
            "evaluate": """
def evaluate(model, loader):
    model.eval()
    correct, total, predictions = 0, 0, []
    with torch.inference_mode():
        for images, labels in loader:
            _, predicted = torch.max(model(images), 1)
            correct += int((predicted == labels).sum())
            total += labels.size(0)
            predictions.append(predicted.numpy())
    return correct / total, np.concatenate(predictions)
""",
            "compute_confusion_matrix": """
def compute_confusion_matrix(y_true, y_pred, num_classes=10):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return matrix
""",
            "computation_graph": """
def computation_graph(model, x):
    output = model(x)
    return make_dot(output, params={name: param for name, param in model.named_parameters()})
""",
        },
    ),
    Variant(
        "valid_sequential_torch_ops",
        "Another correct style: the CNN as two nn.Sequential stacks (features, classifier with nn.Flatten, "
        "padding='same', MaxPool2d(kernel_size=2, stride=2)); train_one_epoch keeping a running mean of the batch "
        "losses; evaluate decorated with @torch.no_grad(), accuracy from the concatenated tensors; the confusion "
        "matrix with torch.bincount, returned as a tensor. Full marks.",
        frozenset(),
        {
            "MnistCNN": """
class MnistCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding="same"), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(16, 32, kernel_size=3, padding="same"), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(1568, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
""",
            "train_one_epoch": """
def train_one_epoch(model, loader, optimizer, loss_fn):
    model.train()
    running = 0.0
    for step, (images, labels) in enumerate(loader, start=1):
        scores = model(images)
        loss = loss_fn(scores, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += (loss.item() - running) / step
    return running
""",
            "evaluate": """
@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    all_predictions, all_labels = [], []
    for images, labels in loader:
        all_predictions.append(model(images).argmax(dim=1))
        all_labels.append(labels)
    predictions, labels = torch.cat(all_predictions), torch.cat(all_labels)
    return (predictions == labels).float().mean().item(), predictions.numpy()
""",
            "compute_confusion_matrix": """
def compute_confusion_matrix(y_true, y_pred, num_classes=10):
    y_true, y_pred = torch.as_tensor(y_true).long(), torch.as_tensor(y_pred).long()
    counts = torch.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)
""",
        },
    ),
    Variant(
        "valid_transforms_v2",
        "The transform written with torchvision's transforms.v2 (ToImage, ToDtype(float32, scale=True), Normalize), "
        "which the torchvision documentation recommends: it returns a tv_tensors.Image, a subclass of Tensor with "
        "the same values. Full marks (the transform check used to require the exact class name Tensor).",
        frozenset(),
        {"build_transform": """
from torchvision.transforms import v2


def build_transform():
    return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize((0.1307,), (0.3081,))])
"""},
    ),
]
