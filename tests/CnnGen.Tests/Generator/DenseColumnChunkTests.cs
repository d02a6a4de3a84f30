using System.Linq;
using CnnGen.Generator;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// How a Dense layer's outputs split into chunks of registers on the 512-bit path. The generated code that reads them
/// is checked against the reference engine by DifferentialTests.Dense_layers_match.
/// </summary>
public class DenseColumnChunkTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(84)]
    [InlineData(120)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(130)]
    [InlineData(300)]
    [InlineData(1000)]
    [InlineData(1024)]
    [InlineData(4095)]
    public void Chunks_cover_every_output_once_with_whole_vectors_of_at_most_eight(int outputs)
    {
        const int lanes = 16;
        var chunks = NetworkEmitter.DenseColumnChunks(outputs, lanes).ToList();
        int next = 0;
        foreach (var chunk in chunks)
        {
            Assert.Equal(next, chunk.Start);
            Assert.InRange(chunk.Vectors, 1, 8);
            Assert.InRange(chunk.Width, lanes, chunk.Vectors * lanes);
            Assert.True(chunk.Width > (chunk.Vectors - 1) * lanes, $"{chunk} has a vector too many");
            // the vectors cover the chunk's columns and none reads past it
            var covered = Enumerable.Range(0, chunk.Vectors).SelectMany(k => Enumerable.Range(chunk.Column(k, lanes), lanes)).Distinct().OrderBy(c => c);
            Assert.Equal(Enumerable.Range(0, chunk.Width), covered);
            next += chunk.Width;
        }
        Assert.Equal(outputs, next);
        Assert.Equal((outputs + lanes - 1) / lanes, chunks.Sum(c => c.Vectors));
        Assert.Equal((chunks.Sum(c => c.Vectors) + 7) / 8, chunks.Count);
    }

    [Fact]
    public void The_vectors_spread_evenly_so_the_last_chunk_is_never_a_sliver()
    {
        Assert.Equal(new[] { (0, 80, 5), (80, 50, 4) }, NetworkEmitter.DenseColumnChunks(130, 16).Select(c => (c.Start, c.Width, c.Vectors)));
        Assert.Equal(new[] { (0, 112, 7), (112, 96, 6), (208, 92, 6) }, NetworkEmitter.DenseColumnChunks(300, 16).Select(c => (c.Start, c.Width, c.Vectors)));
        Assert.Equal(new[] { (0, 120, 8) }, NetworkEmitter.DenseColumnChunks(120, 16).Select(c => (c.Start, c.Width, c.Vectors)));
    }
}
