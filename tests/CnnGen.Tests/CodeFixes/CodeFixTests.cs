using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.CodeFixes;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace CnnGen.Tests.CodeFixes;

/// <summary>
/// The code fixes, applied as the IDE applies them: the generator's own diagnostic on a workspace
/// document, the provider's action, the changed document. Each fixed network must then generate
/// cleanly, so a fix that writes the wrong number or the wrong place fails here.
/// </summary>
public sealed class CodeFixTests
{
    private const string InChannelsMismatch = """
        using CnnGen;

        [InputShape(3, 8, 8)]
        [Conv2D(Filters = 8, Kernel = 3)]
        [Conv2D(InChannels = 4, Filters = 4, Kernel = 3)]
        public partial class Net { }
        """;

    [Fact]
    public async Task CNN0008_offers_to_change_InChannels_to_the_produced_channels_or_to_remove_it() =>
        Assert.Equal(new[] { "Change InChannels to 8", "Remove InChannels" },
            (await ActionsFor(InChannelsMismatch, new DeclaredCountCodeFixProvider())).Select(a => a.Title));

    [Fact]
    public async Task CNN0008_Change_InChannels_to_8() =>
        await AssertFixed(InChannelsMismatch, new DeclaredCountCodeFixProvider(), "Change InChannels to 8", """
            using CnnGen;

            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 8, Kernel = 3)]
            [Conv2D(InChannels = 8, Filters = 4, Kernel = 3)]
            public partial class Net { }
            """);

    [Fact]
    public async Task CNN0008_Remove_InChannels() =>
        await AssertFixed(InChannelsMismatch, new DeclaredCountCodeFixProvider(), "Remove InChannels", """
            using CnnGen;

            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 8, Kernel = 3)]
            [Conv2D(Filters = 4, Kernel = 3)]
            public partial class Net { }
            """);

    [Fact]
    public async Task CNN0008_Remove_InChannels_written_last() =>
        await AssertFixed("""
            using CnnGen;

            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 4, Kernel = 3, InChannels = 1)]
            public partial class Net { }
            """, new DeclaredCountCodeFixProvider(), "Remove InChannels", """
            using CnnGen;

            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 4, Kernel = 3)]
            public partial class Net { }
            """);

    [Fact]
    public async Task CNN0019_Change_BatchNorm_Channels_to_the_produced_channels() =>
        await AssertFixed("""
            using CnnGen;

            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 8, Kernel = 3)]
            [BatchNorm2D(Channels = 4)]
            public partial class Net { }
            """, new DeclaredCountCodeFixProvider(), "Change Channels to 8", """
            using CnnGen;

            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 8, Kernel = 3)]
            [BatchNorm2D(Channels = 8)]
            public partial class Net { }
            """);

    [Fact]
    public async Task CNN0019_PReLU_Parameters_can_become_the_channels_or_one_shared_weight()
    {
        const string wrong = """
            using CnnGen;

            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 8, Kernel = 3)]
            [PReLU(Parameters = 3)]
            public partial class Net { }
            """;
        Assert.Equal(new[] { "Change Parameters to 8", "Remove Parameters" },
            (await ActionsFor(wrong, new DeclaredCountCodeFixProvider())).Select(a => a.Title));
        await AssertFixed(wrong, new DeclaredCountCodeFixProvider(), "Remove Parameters", """
            using CnnGen;

            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 8, Kernel = 3)]
            [PReLU]
            public partial class Net { }
            """);
    }

    private const string InputsMismatch = """
        using CnnGen;

        [InputShape(1, 4, 4)]
        [Flatten]
        [Dense(Outputs = 2, Inputs = 10)]
        public partial class Net { }
        """;

    [Fact]
    public async Task CNN0012_Change_Inputs_to_16() =>
        await AssertFixed(InputsMismatch, new DeclaredCountCodeFixProvider(), "Change Inputs to 16", """
            using CnnGen;

            [InputShape(1, 4, 4)]
            [Flatten]
            [Dense(Outputs = 2, Inputs = 16)]
            public partial class Net { }
            """);

    [Fact]
    public async Task CNN0012_Remove_Inputs() =>
        await AssertFixed(InputsMismatch, new DeclaredCountCodeFixProvider(), "Remove Inputs", """
            using CnnGen;

            [InputShape(1, 4, 4)]
            [Flatten]
            [Dense(Outputs = 2)]
            public partial class Net { }
            """);

    [Fact]
    public async Task CNN0011_Insert_Flatten_before_Dense_as_its_own_line() =>
        await AssertFixed("""
            using CnnGen;

            namespace Models
            {
                [InputShape(1, 4, 4)]
                [Conv2D(Filters = 2, Kernel = 3)]
                // the classifier
                [Dense(Outputs = 10)]
                public partial class Net { }
            }
            """, new InsertFlattenCodeFixProvider(), "Insert [Flatten] before Dense", """
            using CnnGen;

            namespace Models
            {
                [InputShape(1, 4, 4)]
                [Conv2D(Filters = 2, Kernel = 3)]
                // the classifier
                [Flatten]
                [Dense(Outputs = 10)]
                public partial class Net { }
            }
            """);

    [Fact]
    public async Task CNN0011_Insert_Flatten_into_a_list_Dense_shares() =>
        await AssertFixed("""
            using CnnGen;

            [InputShape(1, 4, 4)]
            [Conv2D(Filters = 2, Kernel = 3), ReLU, Dense(Outputs = 10), Softmax]
            public partial class Net { }
            """, new InsertFlattenCodeFixProvider(), "Insert [Flatten] before Dense", """
            using CnnGen;

            [InputShape(1, 4, 4)]
            [Conv2D(Filters = 2, Kernel = 3), ReLU, Flatten, Dense(Outputs = 10), Softmax]
            public partial class Net { }
            """);

    [Fact]
    public async Task CNN0011_Insert_Flatten_spelled_as_Dense_is() =>
        await AssertFixed("""
            [CnnGen.InputShape(1, 4, 4)]
            [CnnGen.Conv2D(Filters = 2, Kernel = 3)]
            [global::CnnGen.DenseAttribute(Outputs = 10)] public partial class Net { }
            """, new InsertFlattenCodeFixProvider(), "Insert [Flatten] before Dense", """
            [CnnGen.InputShape(1, 4, 4)]
            [CnnGen.Conv2D(Filters = 2, Kernel = 3)]
            [global::CnnGen.FlattenAttribute]
            [global::CnnGen.DenseAttribute(Outputs = 10)] public partial class Net { }
            """);

    /// <summary>Applies the titled fix, compares the text, and checks the fixed network generates without any diagnostic.</summary>
    private static async Task AssertFixed(string source, CodeFixProvider provider, string title, string expected)
    {
        var actions = await ActionsFor(source, provider);
        var action = Assert.Single(actions, a => a.Title == title);
        var operation = Assert.Single((await action.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>());
        var document = operation.ChangedSolution.Projects.Single().Documents.Single();
        string fixedText = (await document.GetTextAsync()).ToString();
        Assert.Equal(expected.ReplaceLineEndings("\n"), fixedText.ReplaceLineEndings("\n"));

        var result = GeneratorHarness.Run(fixedText);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Single(result.Run.GeneratedTrees);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    /// <summary>The actions the provider registers for the generator's one diagnostic on the source.</summary>
    private static async Task<List<CodeAction>> ActionsFor(string source, CodeFixProvider provider)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Networks", "Networks", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary),
            parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: GeneratorHarness.References));
        var document = workspace.AddDocument(project.Id, "Net.cs", SourceText.From(source));
        var compilation = (await document.Project.GetCompilationAsync())!;
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Contains(diagnostic.Id, provider.FixableDiagnosticIds);

        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        return actions;
    }
}
