namespace Lantern.Kernels;

/// <summary>Elementwise unary operations a backend implements. Floating unless noted; P0/P1 are scalar arguments.</summary>
public enum UnaryOp
{
    /// <summary>-x (all numeric dtypes).</summary>
    Neg,
    /// <summary>|x| (all numeric dtypes).</summary>
    Abs,
    /// <summary>sign(x) in {-1, 0, 1}; NaN stays NaN (all numeric dtypes).</summary>
    Sign,
    /// <summary>1 / x.</summary>
    Reciprocal,
    /// <summary>e^x.</summary>
    Exp,
    /// <summary>2^x.</summary>
    Exp2,
    /// <summary>e^x - 1.</summary>
    Expm1,
    /// <summary>ln x.</summary>
    Log,
    /// <summary>log2 x.</summary>
    Log2,
    /// <summary>ln(1 + x).</summary>
    Log1p,
    /// <summary>sqrt x.</summary>
    Sqrt,
    /// <summary>1 / sqrt x.</summary>
    Rsqrt,
    /// <summary>sin x.</summary>
    Sin,
    /// <summary>cos x.</summary>
    Cos,
    /// <summary>tan x.</summary>
    Tan,
    /// <summary>tanh x.</summary>
    Tanh,
    /// <summary>1 / (1 + e^-x).</summary>
    Sigmoid,
    /// <summary>Gauss error function.</summary>
    Erf,
    /// <summary>floor x.</summary>
    Floor,
    /// <summary>ceil x.</summary>
    Ceil,
    /// <summary>Round half to even.</summary>
    Round,
    /// <summary>Round toward zero.</summary>
    Trunc,
    /// <summary>x * x.</summary>
    Square,
    /// <summary>x^P0 (scalar exponent).</summary>
    PowScalar,
    /// <summary>P0^x (scalar base).</summary>
    ScalarPow,
    /// <summary>min(max(x, P0), P1); NaN stays NaN.</summary>
    Clamp,
    /// <summary>max(x, P0); NaN stays NaN.</summary>
    ClampMin,
    /// <summary>min(x, P0); NaN stays NaN.</summary>
    ClampMax,
    /// <summary>NaN -> P0, +inf -> P1, -inf -> P2 (P2 passed through the second argument slot pair).</summary>
    NanToNum,
    /// <summary>max(x, 0).</summary>
    Relu,
}

/// <summary>Elementwise binary operations; operands and result share one dtype.</summary>
public enum BinaryOp
{
    /// <summary>x + y.</summary>
    Add,
    /// <summary>x - y.</summary>
    Sub,
    /// <summary>x * y.</summary>
    Mul,
    /// <summary>x / y (floating).</summary>
    Div,
    /// <summary>floor(x / y).</summary>
    FloorDiv,
    /// <summary>trunc(x / y).</summary>
    TruncDiv,
    /// <summary>Python-style modulus (sign of y).</summary>
    Remainder,
    /// <summary>C fmod (sign of x).</summary>
    Fmod,
    /// <summary>x ^ y.</summary>
    Pow,
    /// <summary>max(x, y), NaN-propagating.</summary>
    Maximum,
    /// <summary>min(x, y), NaN-propagating.</summary>
    Minimum,
    /// <summary>atan2(x, y).</summary>
    Atan2,
    /// <summary>Bitwise/logical and (integral and bool).</summary>
    And,
    /// <summary>Bitwise/logical or.</summary>
    Or,
    /// <summary>Bitwise/logical xor.</summary>
    Xor,
}

/// <summary>Comparisons; the result is Bool.</summary>
public enum CompareOp
{
    /// <summary>x == y.</summary>
    Eq,
    /// <summary>x != y.</summary>
    Ne,
    /// <summary>x &lt; y.</summary>
    Lt,
    /// <summary>x &lt;= y.</summary>
    Le,
    /// <summary>x &gt; y.</summary>
    Gt,
    /// <summary>x &gt;= y.</summary>
    Ge,
}

/// <summary>Reductions over a set of dimensions.</summary>
public enum ReduceOp
{
    /// <summary>Sum.</summary>
    Sum,
    /// <summary>Product.</summary>
    Prod,
    /// <summary>Maximum (NaN-propagating).</summary>
    Max,
    /// <summary>Minimum (NaN-propagating).</summary>
    Min,
    /// <summary>Logical all (nonzero).</summary>
    All,
    /// <summary>Logical any (nonzero).</summary>
    Any,
}

/// <summary>Elementwise predicates producing Bool.</summary>
public enum PredicateOp
{
    /// <summary>x is NaN.</summary>
    IsNan,
    /// <summary>x is +-inf.</summary>
    IsInf,
    /// <summary>x is finite.</summary>
    IsFinite,
    /// <summary>x != 0 (logical not is its negation).</summary>
    NonZero,
    /// <summary>x == 0.</summary>
    Zero,
}
