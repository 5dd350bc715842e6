namespace Bulwark.Onnx;

/// <summary>
/// The operator domains the ONNX specification defines and the operator names in each, opset 1 to 24,
/// experimental and removed operators included (an old model may use them). Anything else is a custom
/// operator, implemented by native code registered with a runtime.
/// </summary>
internal static class OnnxOperatorNames
{
    /// <summary>The default domain's explicit name; the empty string means the same.</summary>
    public const string DefaultDomain = "ai.onnx";

    /// <summary>The traditional machine-learning domain.</summary>
    public const string MlDomain = "ai.onnx.ml";

    /// <summary>The training preview domain.</summary>
    public const string TrainingDomain = "ai.onnx.preview.training";

    private static readonly HashSet<string> Default = new(StringComparer.Ordinal)
    {
        "Abs", "Acos", "Acosh", "Add", "Affine", "AffineGrid", "And", "ArgMax", "ArgMin", "Asin", "Asinh", "Atan", "Atanh",
        "Attention", "AveragePool", "BatchNormalization", "Bernoulli", "BitCast", "BitShift", "BitwiseAnd", "BitwiseNot",
        "BitwiseOr", "BitwiseXor", "BlackmanWindow", "Cast", "CastLike", "Ceil", "Celu", "CenterCropPad", "Clip", "Col2Im",
        "Compress", "Concat", "ConcatFromSequence", "Constant", "ConstantFill", "ConstantOfShape", "Conv", "ConvInteger",
        "ConvTranspose", "Cos", "Cosh", "Crop", "CumProd", "CumSum", "DFT", "DeformConv", "DepthToSpace", "DequantizeLinear",
        "Det", "Div", "Dropout", "DynamicQuantizeLinear", "DynamicSlice", "Einsum", "Elu", "Equal", "Erf", "Exp", "Expand",
        "EyeLike", "Flatten", "Floor", "GRU", "GRUUnit", "Gather", "GatherElements", "GatherND", "Gelu", "Gemm",
        "GivenTensorFill", "GlobalAveragePool", "GlobalLpPool", "GlobalMaxPool", "Greater", "GreaterOrEqual", "GridSample",
        "GroupNormalization", "HammingWindow", "HannWindow", "HardSigmoid", "HardSwish", "Hardmax", "Identity", "If",
        "ImageDecoder", "ImageScaler", "InstanceNormalization", "IsInf", "IsNaN", "LRN", "LSTM", "LayerNormalization",
        "LeakyRelu", "Less", "LessOrEqual", "Log", "LogSoftmax", "Loop", "LpNormalization", "LpPool", "MatMul",
        "MatMulInteger", "Max", "MaxPool", "MaxRoiPool", "MaxUnpool", "Mean", "MeanVarianceNormalization",
        "MelWeightMatrix", "Min", "Mish", "Mod", "Mul", "Multinomial", "Neg", "NegativeLogLikelihoodLoss",
        "NonMaxSuppression", "NonZero", "Not", "OneHot", "Optional", "OptionalGetElement", "OptionalHasElement", "Or",
        "PRelu", "Pad", "ParametricSoftplus", "Pow", "QLinearConv", "QLinearMatMul", "QuantizeLinear", "RMSNormalization",
        "RNN", "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Range", "Reciprocal", "ReduceL1",
        "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum",
        "ReduceSumSquare", "RegexFullMatch", "Relu", "Reshape", "Resize", "ReverseSequence", "RoiAlign", "RotaryEmbedding",
        "Round", "STFT", "Scale", "ScaledTanh", "Scan", "Scatter", "ScatterElements", "ScatterND", "Selu", "SequenceAt",
        "SequenceConstruct", "SequenceEmpty", "SequenceErase", "SequenceInsert", "SequenceLength", "SequenceMap", "Shape",
        "Shrink", "Sigmoid", "Sign", "Sin", "Sinh", "Size", "Slice", "Softmax", "SoftmaxCrossEntropyLoss", "Softplus",
        "Softsign", "SpaceToDepth", "Split", "SplitToSequence", "Sqrt", "Squeeze", "StringConcat", "StringNormalizer",
        "StringSplit", "Sub", "Sum", "Swish", "Tan", "Tanh", "TensorScatter", "TfIdfVectorizer", "ThresholdedRelu", "Tile",
        "TopK", "Transpose", "Trilu", "Unique", "Unsqueeze", "Upsample", "Where", "Xor",
    };

    private static readonly HashSet<string> Ml = new(StringComparer.Ordinal)
    {
        "ArrayFeatureExtractor", "Binarizer", "CastMap", "CategoryMapper", "DictVectorizer", "FeatureVectorizer", "Imputer",
        "LabelEncoder", "LinearClassifier", "LinearRegressor", "Normalizer", "OneHotEncoder", "SVMClassifier",
        "SVMRegressor", "Scaler", "TreeEnsemble", "TreeEnsembleClassifier", "TreeEnsembleRegressor", "ZipMap",
    };

    private static readonly HashSet<string> Training = new(StringComparer.Ordinal) { "Adagrad", "Adam", "Gradient", "Momentum" };

    /// <summary>True for the domains the ONNX specification defines ("" and "ai.onnx" are the same).</summary>
    public static bool IsStandardDomain(string domain) =>
        domain is "" or DefaultDomain or MlDomain or TrainingDomain;

    /// <summary>True when <paramref name="opType"/> is an operator the specification defines in <paramref name="domain"/>.</summary>
    public static bool IsKnown(string domain, string opType) => domain switch
    {
        "" or DefaultDomain => Default.Contains(opType),
        MlDomain => Ml.Contains(opType),
        TrainingDomain => Training.Contains(opType),
        _ => false,
    };
}
