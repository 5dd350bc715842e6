"""PyTorch peer of `cnn-train-step`: forward, cross-entropy, backward and an SGD step of the
reference CNN on one batch."""
import torch
from torch import nn

from common import load, median_ms, report, save, setup
from reference_cnn import load_weights, reference_cnn

directory, warmup, runs = setup()
arrays = load(directory)
model = load_weights(reference_cnn(), arrays).train()
x, y = arrays["x"], arrays["y"].long()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


first = step()
save(directory, "torch_loss", first.detach().reshape(1))
save(directory, "torch_w0_after", model[0].weight)
report(median_ms(step, warmup, runs))
