"""Figures published by the SqueezeNet paper and the two tutorials, shown beside the package's own.

They are never used to compute anything: reports print them next to what was measured.
"""

# SqueezeNet (Iandola et al. 2016), Table 2: SqueezeNet + Deep Compression, 6-bit: "0.47 MB"
PAPER_DEEP_COMPRESSION_BYTES = 470_000
# torchvision / Caffe AlexNet at 1000 classes (the paper's 240 MB baseline)
ALEXNET_PARAMS = 61_100_840
