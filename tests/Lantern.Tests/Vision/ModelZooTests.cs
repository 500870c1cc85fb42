using Lantern.NN;
using Lantern.Vision.Models;
using Xunit;

namespace Lantern.Tests.Vision;

// The CLI's model zoo: output shapes, parameter counts worked out by hand, state-dict keys, names.
public class ModelZooTests
{
    private static Tensor X(int n, int c, int s) => Tensor.Randn([n, c, s, s], generator: new Generator(1));

    [Theory]
    // cnn: conv1 32*1*9+32 = 320, conv2 64*32*9+64 = 18,496, fc1 3136*128+128 = 401,536, fc2 128*10+10 = 1,290
    [InlineData("cnn", 1, 10, 28, 421_642)]
    // 3x32x32: conv1 32*3*9+32 = 896, fc1 (64*8*8)*128+128 = 524,416
    [InlineData("cnn", 3, 10, 32, 896 + 18_496 + 524_416 + 1_290)]
    // lenet: 6*1*25+6 = 156, 16*6*25+16 = 2,416, 400*120+120 = 48,120, 120*84+84 = 10,164, 84*10+10 = 850
    [InlineData("lenet", 1, 10, 28, 61_706)]
    [InlineData("lenet", 3, 10, 32, 61_706 - 156 + 456)]
    // mlp: 784*256+256 = 200,960, 256*10+10 = 2,570
    [InlineData("mlp", 1, 10, 28, 203_530)]
    [InlineData("mlp", 3, 5, 32, 3072 * 256 + 256 + 256 * 5 + 5)]
    // resnet-small: conv1 144 + bn 32; layer1 2*2304 + 2*32; layer2 4608 + 9216 + 512 (downsample) + 3*64;
    // layer3 18,432 + 36,864 + 2,048 + 3*128; fc 64*10+10
    [InlineData("resnet-small", 1, 10, 28, 144 + 32 + 4_672 + 14_528 + 57_728 + 650)]
    [InlineData("Resnet-Small", 3, 100, 32, 432 + 32 + 4_672 + 14_528 + 57_728 + 6_500)]
    public void ShapesAndParameterCounts(string name, int c, int classes, int size, long parameters)
    {
        var model = Models.Create(name, c, classes, size, generator: new Generator(2));
        Assert.Equal(parameters, model.NumParameters());
        var y = model.Forward(X(3, c, size));
        Assert.Equal(new Shape(3, classes), y.Shape);
        Assert.All(y.ToArray<float>(), v => Assert.True(float.IsFinite(v)));
        y.Sum().Backward();
        Assert.All(model.Parameters(), p => Assert.NotNull(p.Grad));
    }

    [Fact]
    public void StateDictKeys()
    {
        Assert.Equal(["features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
            "classifier.1.weight", "classifier.1.bias", "classifier.3.weight", "classifier.3.bias"], Models.Create("cnn", 1, 10, 28).StateDict().Keys);
        var cnn = Models.Create("cnn", 1, 10, 28).StateDict();
        Assert.Equal(new Shape(32, 1, 3, 3), cnn["features.0.weight"].Shape);
        Assert.Equal(new Shape(128, 3136), cnn["classifier.1.weight"].Shape);
        Assert.Equal(["features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias", "classifier.1.weight", "classifier.1.bias",
            "classifier.3.weight", "classifier.3.bias", "classifier.5.weight", "classifier.5.bias"], Models.Create("lenet", 1, 10, 28).StateDict().Keys);
        Assert.Equal(new Shape(120, 400), Models.Create("lenet", 1, 10, 32).StateDict()["classifier.1.weight"].Shape);
        Assert.Equal(new Shape(6, 1, 5, 5), Models.Create("lenet", 1, 10, 28).StateDict()["features.0.weight"].Shape);
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], Models.Create("mlp", 1, 10, 28).StateDict().Keys);
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"],
            Models.CreateMlp(1, 10, 28, [64, 32]).StateDict().Keys);
        var rs = Models.Create("resnet-small", 1, 10, 28).StateDict();
        Assert.Equal("conv1.weight", rs.Keys.First());
        Assert.Equal(new Shape(16, 1, 3, 3), rs["conv1.weight"].Shape);
        Assert.True(rs.ContainsKey("layer2.0.downsample.0.weight"));
        Assert.False(rs.ContainsKey("layer1.0.downsample.0.weight"));
        Assert.Equal(new Shape(64, 32, 3, 3), rs["layer3.0.conv1.weight"].Shape);
        Assert.Equal(new Shape(64, 64, 3, 3), rs["layer3.0.conv2.weight"].Shape);
        Assert.Equal(new Shape(10, 64), rs["fc.weight"].Shape);
        Assert.Equal(["fc.weight", "fc.bias"], rs.Keys.TakeLast(2));
    }

    [Fact] // the reference CNN equals its definition written with functionals
    public void CnnIsTheReferenceNetwork()
    {
        var model = new SimpleCnn(1, 10, 28, DType.Float64, new Generator(3));
        var p = model.StateDict();
        var x = Tensor.Randn([2, 1, 28, 28], DType.Float64, generator: new Generator(4));
        var h = F.MaxPool2d(F.Conv2d(x, p["features.0.weight"], p["features.0.bias"], padding: 1).Relu(), 2);
        h = F.MaxPool2d(F.Conv2d(h, p["features.3.weight"], p["features.3.bias"], padding: 1).Relu(), 2);
        var expected = F.Linear(F.Linear(h.Flatten(1), p["classifier.1.weight"], p["classifier.1.bias"]).Relu(), p["classifier.3.weight"], p["classifier.3.bias"]);
        NN.ResidualTests.Close(expected, model.Forward(x));
        var mlp = Models.CreateMlp(1, 3, 4, [5], DType.Float64, new Generator(5));
        var m = mlp.StateDict();
        var xi = Tensor.Randn([2, 1, 4, 4], DType.Float64, generator: new Generator(6));
        NN.ResidualTests.Close(F.Linear(F.Linear(xi.Flatten(1), m["fc1.weight"], m["fc1.bias"]).Relu(), m["fc2.weight"], m["fc2.bias"]), mlp.Forward(xi));
    }

    [Fact]
    public void UnknownNamesAndBadSizes()
    {
        var msg = Assert.Throws<ArgumentException>(() => Models.Create("vgg", 1, 10, 28)).Message;
        Assert.Contains("'vgg'", msg);
        Assert.Contains("lenet, mlp, cnn, resnet-small", msg);
        Assert.Equal(["lenet", "mlp", "cnn", "resnet-small"], Models.Names);
        Assert.Contains("SimpleCnn: expected input of shape [N, 1, 28, 28], got [2, 1, 32, 32]",
            Assert.Throws<ArgumentException>(() => Models.Create("cnn", 1, 10, 28).Forward(X(2, 1, 32))).Message);
        Assert.Contains("LeNet: expected input", Assert.Throws<ArgumentException>(() => Models.Create("lenet", 1, 10, 28).Forward(X(2, 3, 28))).Message);
        Assert.Contains("Mlp: expected input", Assert.Throws<ArgumentException>(() => Models.Create("mlp", 1, 10, 28).Forward(X(2, 1, 27))).Message);
        Assert.Contains("SmallResNet: expected input", Assert.Throws<ArgumentException>(() => Models.Create("resnet-small", 3, 10, 28).Forward(X(2, 1, 28))).Message);
        Assert.Contains("too small", Assert.Throws<ArgumentException>(() => Models.Create("lenet", 1, 10, 8)).Message);
        Assert.Contains("must be positive", Assert.Throws<ArgumentException>(() => Models.Create("cnn", 0, 10, 28)).Message);
    }
}
