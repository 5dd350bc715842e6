using Bulwark.Attacks.Evasion.Adaptive;
using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Defenses.Preprocessing;

/// <summary>How gradients pass through a preprocessor in front of a white-box model.</summary>
public enum PreprocessorGradient
{
    /// <summary>
    /// Backward Pass Differentiable Approximation (<see cref="Bpda"/>): the identity, or the
    /// approximation given, in the backward pass. The honest choice for evaluating the defence.
    /// </summary>
    Bpda,

    /// <summary>
    /// Plain autodiff through the preprocessor: zero through rounding. What a naive evaluation
    /// measures; use it only to show gradient masking.
    /// </summary>
    Exact,
}

/// <summary>
/// A white-box model behind an input preprocessor (the defended model of threat T7's preprocessing
/// defences): every prediction, logit and gradient goes through <see cref="IInputPreprocessor.Apply"/>
/// first. Gradients pass back by <see cref="PreprocessorGradient.Bpda"/> by default, so a white-box
/// attack on this classifier is an adaptive attack on the defence. For a randomised preprocessor,
/// wrap the result in <see cref="ExpectationOverTransformation"/> before attacking it.
/// </summary>
public sealed class PreprocessedClassifier : GradientClassifierBase
{
    private readonly Func<Tensor, Tensor>? approximation;

    /// <summary>Puts <paramref name="preprocessor"/> in front of <paramref name="model"/>.</summary>
    /// <param name="model">The undefended white-box model.</param>
    /// <param name="preprocessor">The defence's input transformation.</param>
    /// <param name="gradient">How gradients pass through the preprocessor.</param>
    /// <param name="approximation">BPDA's differentiable stand-in for the preprocessor; the identity when null.</param>
    /// <param name="maxBatchSize">Most samples per forward pass.</param>
    public PreprocessedClassifier(IGradientClassifier model, IInputPreprocessor preprocessor, PreprocessorGradient gradient = PreprocessorGradient.Bpda,
        Func<Tensor, Tensor>? approximation = null, int maxBatchSize = EngineClassifier.DefaultMaxBatchSize)
        : base((model ?? throw new ArgumentNullException(nameof(model))).InputShape, model.ClassCount, model.Bounds, maxBatchSize)
    {
        Model = model;
        Preprocessor = preprocessor ?? throw new ArgumentNullException(nameof(preprocessor));
        Gradient = gradient;
        this.approximation = approximation;
    }

    /// <summary>The undefended model.</summary>
    public IGradientClassifier Model { get; }

    /// <summary>The defence's input transformation.</summary>
    public IInputPreprocessor Preprocessor { get; }

    /// <summary>How gradients pass through the preprocessor.</summary>
    public PreprocessorGradient Gradient { get; }

    /// <summary>
    /// The defended model as a black box: the white-box wrapper when <paramref name="model"/> has
    /// gradients, otherwise one that only preprocesses <see cref="IClassifier.PredictProba"/>'s input.
    /// </summary>
    public static IClassifier Wrap(IClassifier model, IInputPreprocessor preprocessor) => model switch
    {
        null => throw new ArgumentNullException(nameof(model)),
        IGradientClassifier white => new PreprocessedClassifier(white, preprocessor),
        _ => new BlackBox(model, preprocessor ?? throw new ArgumentNullException(nameof(preprocessor))),
    };

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor batch) =>
        Model.Forward(Gradient == PreprocessorGradient.Bpda
            ? Bpda.Apply(batch, x => Preprocessor.Apply(x, Bounds), approximation)
            : Preprocessor.Apply(batch, Bounds));

    private sealed class BlackBox(IClassifier model, IInputPreprocessor preprocessor) : IClassifier
    {
        public IReadOnlyList<int> InputShape => model.InputShape;

        public int ClassCount => model.ClassCount;

        public InputBounds Bounds => model.Bounds;

        public Tensor PredictProba(Tensor batch) => model.PredictProba(preprocessor.Apply(batch, Bounds));
    }
}
