using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Defenses.Certification;
using Bulwark.Engine;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary><c>bulwark certify</c>: Cohen et al.'s randomised-smoothing certificates for a model on data.</summary>
internal static class CertifyCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Option<string>("--model") { Description = "An ONNX file or a KServe-v2 endpoint (the base classifier; only its predictions are used).", Required = true };
        var data = new Option<string>("--data") { Description = ".npz with x and y, a folder of IDX files (its test part) or a built-in image dataset.", Required = true };
        var defaults = new RandomizedSmoothingOptions();
        var sigma = new Option<float>("--sigma") { Description = "Standard deviation of the Gaussian noise.", DefaultValueFactory = _ => defaults.Sigma };
        var n = new Option<int>("--n") { Description = "Noise samples per input for the estimate.", DefaultValueFactory = _ => defaults.EstimationSamples };
        var n0 = new Option<int>("--n0") { Description = "Noise samples per input to pick the top class.", DefaultValueFactory = _ => defaults.SelectionSamples };
        var alpha = new Option<double>("--alpha") { Description = "Failure probability of each certificate.", DefaultValueFactory = _ => defaults.Alpha };
        var radii = new Option<string>("--radii") { Description = "Radii at which to report certified accuracy.", DefaultValueFactory = _ => "0,0.25,0.5,0.75,1" };
        var limit = new Option<int?>("--limit") { Description = "Certify only the first N samples." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the noise.", DefaultValueFactory = _ => 0UL };
        var bounds = new Option<string>("--bounds") { Description = "Input bounds 'lo,hi'.", DefaultValueFactory = _ => "0,1" };
        var json = new Option<bool>("--json") { Description = "Print the certificates and certified accuracies as JSON on stdout." };
        var command = new Command("certify", "Certify L2 robustness radii by randomised smoothing (Cohen, Rosenfeld & Kolter 2019).")
        {
            model, data, sigma, n, n0, alpha, radii, limit, seed, bounds, json,
        };
        command.SetAction(parse =>
        {
            var options = new RandomizedSmoothingOptions
            {
                Sigma = parse.GetValue(sigma), EstimationSamples = parse.GetValue(n), SelectionSamples = parse.GetValue(n0),
                Alpha = parse.GetValue(alpha), Seed = parse.GetValue(seed),
            };
            var rs = ModelTargets.ParseNonNegativeList(parse.GetValue(radii)!, "--radii");
            var set = AttackData.Load(parse.GetValue(data)!);
            if (parse.GetValue(limit) is int k)
                set = set.Take(k);
            var classifier = ModelTargets.Open(parse.GetValue(model)!, needsGradients: false, ModelTargets.ParseBounds(parse.GetValue(bounds)!));
            try
            {
                var smoothing = new RandomizedSmoothing(classifier, options);
                SmoothedPrediction[] certificates = null!;
                io.Console.Status().Start($"certifying {set.Count} samples with {options.EstimationSamples} noise draws each…", _ => certificates = smoothing.Certify(set.Features));
                var accuracy = rs.Select(r => (Radius: r, Accuracy: RandomizedSmoothing.CertifiedAccuracy(certificates, set.Labels, r))).ToArray();
                if (parse.GetValue(json))
                {
                    io.Out.WriteLine(JsonSerializer.Serialize(new
                    {
                        sigma = options.Sigma, n = options.EstimationSamples, n0 = options.SelectionSamples, alpha = options.Alpha, samples = set.Count,
                        certified_accuracy = accuracy.Select(a => new { radius = a.Radius, accuracy = a.Accuracy }),
                        certificates = certificates.Select((c, i) => new { label = set.Labels.Data[i], predicted = c.Class, radius = c.Radius, lower_bound = c.LowerBound, count = c.Count }),
                    }));
                }
                else
                {
                    var table = new Table().AddColumn("radius").AddColumn("certified accuracy");
                    foreach (var (r, a) in accuracy)
                        table.AddRow(r.ToString("0.###", CultureInfo.InvariantCulture), (100 * a).ToString("0.0", CultureInfo.InvariantCulture) + " %");
                    io.Console.MarkupLine($"σ = {options.Sigma}, n = {options.EstimationSamples}, α = {options.Alpha}; {certificates.Count(c => c.Abstained)} of {set.Count} abstained");
                    io.Console.Write(table);
                }
                return CliApp.Ok;
            }
            finally
            {
                (classifier as IDisposable)?.Dispose();
            }
        });
        return command;
    }
}
