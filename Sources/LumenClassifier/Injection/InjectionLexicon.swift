// The cue families of the injection screen, English and Chinese, written by hand from how
// injections are phrased in general (not from one data set): word classes ("slots") and cues that
// chain them ("an ignore-verb, then within four words an instruction noun"). The weights of the
// cues are learned (`lumen train injection`); this file only says what to look for.
//
// Phrase syntax: English words separated by spaces, matched after lower-casing and a light suffix
// stemmer (so "ignore", "ignored", "ignoring" are one entry); Chinese as written, one token per
// Han character. An entry written in capitals ("IMPORTANT") matches only a word in capitals.
// Tokens starting with "@" are produced by the tokenizer itself (fake chat turns).

/// A cue: a chain of slots, each within `gaps[i]` units of the previous one in the same
/// sentence (an English word counts 2 units, a Han character 1). `kind` nil: a context cue,
/// evidence against an injection (its weight is kept at or below zero; the weights of the other
/// cues at or above zero).
struct InjectionCue: Sendable {
    /// Whether the cue alone makes a window worth scoring. A window without an anchor scores as
    /// an empty one: weak cues ("only reply with", "you are", "from now on") only add to the
    /// evidence of a specific one, so a benign role-play prompt full of them stays low.
    enum Anchor: Sendable {
        case always
        /// Only in a text that looks like data (an e-mail header, a code fence, HTML).
        case inData
        case never
    }

    let name: String
    let kind: InjectionKind?
    let slots: [String]
    let gaps: [Int]
    let anchor: Anchor
    /// The cue must open its sentence (start within its first `initialUnits` units): an
    /// imperative ("Add this to your code") rather than a description ("adding this to your code
    /// would fail").
    let initial: Bool
    static let initialUnits: Int32 = 6

    /// Chains are anchors by default, single slots are not.
    init(_ name: String, _ kind: InjectionKind?, _ slots: [String], gaps: [Int] = [], anchor: Anchor? = nil, initial: Bool = false) {
        self.name = name
        self.kind = kind
        self.slots = slots
        self.gaps = gaps.isEmpty ? [Int](repeating: 8, count: max(0, slots.count - 1)) : gaps
        self.anchor = anchor ?? (slots.count > 1 && kind != nil ? .always : .never)
        self.initial = initial
    }
}

enum InjectionLexicon {
    static let slots: [(name: String, phrases: [String])] = [
        // MARK: Override
        (
            "ignore",
            [
                "ignore", "disregard", "forget", "pay no attention to", "pay no heed to", "take no notice of",
                "don't follow", "dont follow", "do not follow", "stop following", "no longer follow", "cease following", "never follow",
                "override", "overwrite", "overrule", "bypass", "discard", "abandon", "throw away", "throw out", "set aside",
                "put aside", "drop", "scrap", "erase", "wipe", "dismiss", "neglect", "skip", "cancel", "delete", "reset",
                "don't obey", "do not obey", "stop obeying", "don't listen to", "do not listen to", "stop listening to",
                "忽略", "忽视", "无视", "漠视", "不要理会", "别理会", "不理会", "不用理会", "无需理会", "不必理会", "别管", "不用管",
                "不要管", "别理", "忘记", "忘掉", "忘了", "抛开", "抛弃", "丢弃", "丢掉", "放弃", "跳过", "取消", "废除", "推翻",
                "覆盖", "清除", "清空", "重置", "撇开", "抛诸脑后", "不要遵守", "不再遵守", "不必遵守", "不用遵守", "无需遵守",
                "停止遵守", "不要遵循", "不再遵循", "不要听从", "不再听从", "不要按照", "不再按照", "不要执行", "别听",
            ]
        ),
        (
            "prior",
            [
                "previous", "prior", "above", "earlier", "preceding", "foregoing", "before", "original", "initial", "former",
                "existing", "preset", "default", "so far", "until now", "up to now", "thus far", "you were given",
                "you have been given", "you've been given", "you received", "you were told", "given to you",
                "之前", "以前", "先前", "此前", "前面", "前边", "上面", "上边", "上述", "以上", "上文", "前文", "上一条", "上一个",
                "刚才", "刚刚", "原来", "原先", "原有", "原始", "最初", "初始", "既有", "已有", "默认", "预设", "之上",
            ]
        ),
        (
            "everything",
            [
                "everything", "all of that", "all that", "all of the above", "all the above", "the above", "everything above",
                "everything before", "everything i said", "what i said", "what i told you", "what you were told",
                "what you've been told", "everything you were told", "all previous", "all prior", "all earlier",
                "一切", "所有的一切", "之前的一切", "前面的一切", "以上所有", "上述所有", "前面所有", "之前所有", "以上全部", "上面所有",
                "以上的", "上述的", "前面的", "之前的",
            ]
        ),
        (
            "instruction",
            [
                "instruction", "direction", "directive", "prompt", "command", "order", "guidance", "programming", "context",
                "system prompt", "system message", "task", "assignment", "setup", "configuration", "brief", "briefing",
                "指令", "指示", "命令", "提示", "提示词", "提示语", "要求", "设定", "任务", "prompt", "系统提示", "指引", "嘱咐",
            ]
        ),
        (
            "message",
            [
                "text", "message", "content", "input", "request", "conversation", "chat", "discussion", "data", "document",
                "内容", "话", "消息", "信息", "对话", "请求", "输入", "文本", "文字", "说明", "聊天",
            ]
        ),
        ("question", ["question", "query", "problem", "问题", "提问", "疑问", "题目"]),
        (
            "safety",
            [
                "rule", "guideline", "policy", "policies", "restriction", "limitation", "limit", "constraint", "boundary",
                "filter", "censorship", "ethic", "ethical", "moral", "morality", "principle", "law", "safeguard", "safety",
                "content policy", "usage policy", "terms of service", "alignment", "protocol",
                "规则", "规定", "限制", "约束", "政策", "道德", "伦理", "法律", "原则", "准则", "守则", "审查", "过滤", "底线",
                "安全准则", "安全策略", "价值观", "条款", "规范", "束缚",
            ]
        ),
        (
            "model_safety",
            [
                "your rule", "your guideline", "your restriction", "your filter", "your programming", "your ethical",
                "your safety", "your limitation", "your training", "your policy", "your policies", "your principle",
                "your moral", "your ethic", "your content policy", "your constraint", "your boundary", "content policy",
                "content policies", "usage policy", "usage policies", "openai's", "openai policy", "openai policies",
                "safety guideline", "ethical guideline", "moral guideline", "safety filter", "content filter", "safety rule",
                "ai rule", "any rule", "all rule", "all the rule", "any restriction", "all restriction", "every rule",
                "any safeguard",
                "ethical", "moral", "ethic", "morality", "censorship", "filter",
                "你的规则", "你的限制", "你的准则", "你的原则", "你的设定", "内容政策", "安全准则", "道德准则", "道德限制", "伦理限制",
                "所有规则", "任何规则", "任何限制", "所有限制", "安全限制", "审查机制", "道德", "伦理", "审查", "过滤", "安全策略",
                "使用政策", "规则和限制", "道德和伦理",
            ]
        ),
        (
            "invalid",
            [
                "void", "null and void", "cancelled", "canceled", "revoked", "no longer apply", "no longer applies",
                "no longer valid", "no longer in effect", "don't apply", "do not apply", "does not apply", "doesn't apply",
                "should be ignored", "must be ignored", "are ignored", "is ignored", "overridden", "superseded", "obsolete",
                "don't matter", "do not matter", "doesn't matter", "does not matter", "are over", "is over", "has ended",
                "作废", "无效", "失效", "不再有效", "不算数", "都不算", "不用管了", "不再适用", "被撤销", "已取消",
            ]
        ),
        (
            "no_longer",
            [
                "no longer", "not anymore", "anymore", "any longer", "no more", "never again",
                "不再", "不用再", "无需再", "再也不", "不必再", "不再需要",
            ]
        ),
        (
            "now_on",
            [
                "from now on", "from this point", "from this moment", "from here on", "starting now", "starting today",
                "starting from now", "henceforth", "hereafter", "going forward", "for the rest of this conversation",
                "for the remainder of", "until i say", "until further notice", "from now", "for the rest of our conversation",
                "从现在开始", "从现在起", "从此", "从今以后", "从今往后", "此后", "今后", "从这一刻起", "从此刻起", "现在起",
                "在接下来的对话中", "在之后的对话中", "在本次对话中", "接下来的对话", "从下一句开始",
            ]
        ),
        (
            "obey",
            [
                "follow", "obey", "abide by", "adhere to", "comply with", "respect", "be bound by", "bound by", "listen to",
                "遵守", "遵循", "服从", "听从", "受限于", "受制于", "按照", "依照",
            ]
        ),
        (
            "authority",
            [
                "i am your developer", "i'm your developer", "i am your creator", "i'm your creator", "i am your admin",
                "i'm your admin", "i am the admin", "i'm the admin", "i am an openai", "i'm an openai", "openai employee",
                "anthropic employee", "admin access", "root access", "authorization code", "security clearance", "override code",
                "security override", "developer override", "admin override", "system override",
                "我是你的开发者", "我是你的创造者", "我是你的主人", "我是管理员", "管理员权限", "最高权限", "超级用户", "已授权", "授权码",
                "root权限",
            ]
        ),

        // MARK: Goal hijack
        (
            "output",
            [
                "print", "output", "say", "write", "respond", "reply", "answer", "display", "repeat", "type",
                "state", "echo", "respond with", "reply with", "answer with", "print out", "write out", "spell out", "tell me",
                "输出", "说", "回复", "回答", "复述", "重复", "打印", "显示", "写出", "念出", "输入", "告诉我", "回应", "答复", "写下",
                "说出", "发出", "念",
            ]
        ),
        (
            "direct",
            [
                "just", "only", "simply", "instead", "exactly", "verbatim", "word for word", "nothing else", "and nothing else",
                "no other", "without any other",
                "直接", "只需", "只要", "仅", "仅仅", "只", "而是", "改为", "转而", "逐字", "原封不动", "一字不差", "不要添加",
                "不需要添加", "不要引号", "不要前缀", "不加任何", "不添加任何",
            ]
        ),
        (
            "no_extra",
            [
                "no prefix", "no quotes", "without quotes", "without any prefix", "do not add anything", "don't add anything",
                "without adding anything", "add nothing else", "no extra words", "without any other words",
                "不要添加其他词汇", "不要添加任何词汇", "不要引号", "不要前缀", "不要任何符号", "不要任何注释", "不要添加任何前缀",
                "不添加任何", "不准添加任何", "不要添加其他", "不要添加任何", "不加引号", "不加前缀", "不需要添加其他", "不要加任何",
            ]
        ),
        (
            "say_colon",
            [
                "复述：", "直接输出：", "请输出：", "请说：", "直接说：", "直接回复：", "请复述：", "现在请复述：", "现在请输出：", "只输出：",
                "reply with:", "respond with:", "just say:", "only say:", "now say:", "repeat after me:", "just print:",
                "only print:", "only output:", "simply say:",
            ]
        ),
        ("instead", ["instead", "rather than", "instead of", "in place of", "而是", "改为", "转而", "取而代之", "代替", "替代", "反而"]),
        (
            "dont",
            [
                "don't", "dont", "do not", "no need to", "stop", "never", "never mind", "nevermind", "instead of", "not",
                "不要", "不必", "不用", "无需", "不需要", "停止", "别", "先别", "不准",
            ]
        ),
        (
            "task_verb",
            [
                "answer", "respond", "translate", "summarize", "summarise", "classify", "analyze", "analyse", "continue",
                "complete", "reply", "process", "perform", "execute", "finish", "evaluate", "review", "correct", "check",
                "introduce", "respond to",
                "回答", "翻译", "总结", "概括", "分类", "分析", "继续", "完成", "处理", "执行", "回复", "理会", "评价", "检查", "纠正",
                "介绍", "急着回答",
            ]
        ),
        (
            "new_task",
            [
                "new directive", "new objective", "new prompt", "updated instruction", "revised instruction", "real task",
                "actual task", "true task", "real instruction", "real goal", "real purpose", "true purpose", "your task is now",
                "your new", "secret task", "hidden task", "new task:", "new instructions:",
                "新的指令：", "新指令：", "新的任务：", "新任务：", "新的任务是", "新任务是", "新的要求是", "你的新任务", "你的新指令",
                "新的规则：", "真正的任务", "实际任务是", "真正的指令", "你的任务是", "你现在的任务", "真正的目的", "你的新",
            ]
        ),
        (
            "switch",
            [
                "stop now", "wait", "actually", "never mind", "nevermind", "forget it", "on second thought", "hold on",
                "等等", "停一下", "算了", "先别", "停下",
            ]
        ),
        (
            "switch_strong",
            [
                "stop everything", "stop what you are doing", "stop what you're doing", "scratch that", "change of plans",
                "change of plan", "abort the task", "abort your task", "halt the task", "you may not deviate",
                "do not deviate", "don't deviate", "must not deviate", "you must comply", "this is mandatory",
                "停止一切", "别做了", "不用做了", "换个任务", "改变主意", "停止当前", "不得偏离", "必须照做", "不许偏离",
            ]
        ),
        ("repeat_word", ["repeat", "say", "print", "echo", "重复", "复述", "说", "打印"]),
        (
            "boundary",
            [
                "end of text", "end of document", "end of email", "end of input", "end of context", "end of conversation",
                "end of prompt", "end of instructions", "end of user input", "end of data", "the above was", "that was a test",
                "this was just a test", "test is over", "the test is over", "simulation has ended", "new session", "session reset",
                "end of session", "session ended", "end of the session", "end of transcript",
                "reset the conversation", "system update", "system notice", "admin message", "important notice",
                "以上是测试", "测试结束", "以上内容仅为测试", "以上都是测试", "文本结束", "输入结束", "对话结束", "系统通知", "系统消息",
                "系统更新", "管理员通知", "重要通知", "新会话", "会话重置", "以上只是",
            ]
        ),

        // MARK: Prompt leak
        (
            "reveal",
            [
                "reveal", "show", "print", "display", "output", "repeat", "tell", "give", "share", "disclose", "leak",
                "expose", "dump", "list", "spell out", "recite", "write out", "write down", "copy", "paste", "translate",
                "summarize", "summarise", "describe", "what is", "what are", "what was", "what were", "what's", "read back",
                "read out", "provide", "return", "echo", "quote", "send", "output all", "print all", "show me", "tell me",
                "输出", "告诉", "透露", "泄露", "显示", "展示", "打印", "重复", "复述", "列出", "说出", "给出", "公开", "分享", "发给",
                "写出", "念出", "翻译", "总结", "是什么", "有哪些", "有什么", "是否包含", "包含", "告诉我", "发送", "提供",
            ]
        ),
        (
            "secret_your",
            [
                "your system prompt", "your prompt", "your instruction", "your initial instruction", "your original instruction",
                "your hidden instruction", "your rule", "your guideline", "your configuration", "your system message",
                "your pre-prompt", "your preprompt", "your initial prompt", "your original prompt", "your directive",
                "your programming", "your setup", "your system instruction", "the instruction above", "instruction above", "the text above",
                "the words above", "the above text",
                "everything above", "all the text above", "the conversation above", "the message above", "the prompt above",
                "what you were told", "what you were instructed", "your context window", "your context", "your initial setup",
                "your knowledge base", "your hidden", "your secret", "your internal", "words above", "text above", "the password",
                "the instructions you were given", "instructions you were given", "the instructions you received",
                "instructions you received", "the text you were given", "text you were given", "what were you told",
                "what you were told before", "before this conversation", "at the beginning of this conversation",
                "at the start of this conversation", "your starting instruction", "starting instructions", "initialization string",
                "initialization prompt", "your initial configuration", "initial configuration", "not supposed to tell",
                "not allowed to tell", "not allowed to reveal", "not supposed to reveal", "forbidden to reveal",
                "my instructions are", "i was instructed", "my system prompt", "my initial instructions",
                "这次对话之前", "对话开始前", "对话开始时", "你被要求", "不能告诉我的", "不允许透露的", "不可以告诉我的",
                "the secret password", "the secret word", "the passphrase", "the access code", "the secret key",
                "你的prompt", "您的prompt", "你prompt", "您prompt", "你的提示词", "您的提示词", "你的提示", "你的指令", "您的指令", "你的设定", "你的规则",
                "你的系统提示", "你的初始指令", "你的原始指令", "你的初始提示", "你的隐藏指令", "你的预设", "上面的内容", "以上内容", "前面的内容", "上面的文字", "以上文字", "前面的文字", "你收到的指令",
                "你被告知", "你的初始设定", "开发者消息", "你的配置", "最初的指令", "你的设置", "你的人设",
            ]
        ),
        (
            "secret_generic",
            [
                "system prompt", "password", "api key", "secret key", "the secret", "access code", "passcode", "systemprompt",
                "system_prompt", "sysprompt",
                "credential", "system message", "initial prompt", "original prompt", "hidden prompt", "secret prompt",
                "pre-prompt", "developer message", "developer instruction", "system instruction", "hidden instruction",
                "secret instruction", "initial instruction", "original instruction",
                "系统提示词", "系统提示", "提示词", "prompt", "密码", "口令", "密钥", "秘密", "秘钥", "暗号", "系统指令", "初始指令",
                "原始指令", "初始提示", "原始提示", "隐藏指令", "隐藏的指令", "内部指令", "预设指令", "预设提示",
            ]
        ),
        (
            "verbatim",
            [
                "verbatim", "word for word", "exactly as written", "in full", "in its entirety", "everything", "all of it",
                "complete", "full", "entire", "raw", "unmodified",
                "完整", "逐字", "原封不动", "一字不差", "全部内容", "完整内容", "全部", "原文",
            ]
        ),
        ("start_with", ["starting with", "beginning with", "begin with", "start with", "starts with", "begins with", "开头"]),

        // MARK: Role forge
        (
            "unrestricted",
            [
                "unrestricted", "unfiltered", "uncensored", "unbound", "unchained", "unshackled", "amoral", "lawless",
                "no restriction", "no limit", "no limitation", "no boundary",
                "no rule", "no filter", "no censorship", "no guideline", "no ethic", "no moral", "no ethical",
                "without restriction", "without any restriction", "without limit", "without limitation", "without filter",
                "without censorship", "without any ethical", "without moral", "without any moral", "not bound by", "isn't bound by",
                "is not bound by", "are not bound by", "aren't bound by",
                "doesn't have to follow", "does not have to follow", "don't have to follow", "do not have to follow",
                "does not follow any", "doesn't follow any", "doesn't abide", "does not abide", "don't abide", "not restricted",
                "not limited by", "not constrained", "broken free", "escaped the", "beyond the rule",
                "above the law", "anything goes", "no holds barred", "no safety", "without safety", "no morals", "no limits",
                "no prohibition", "no taboo", "no censor",
                "不受限制", "不受任何限制", "没有限制", "没有任何限制", "无限制", "毫无限制", "不受约束", "没有约束", "无约束", "不受束缚",
                "没有道德", "不讲道德", "无道德", "没有底线", "无底线", "没有伦理", "不受审查", "没有审查", "无审查",
                "未经过滤", "不加过滤", "无过滤", "不经过滤", "不受过滤", "不需要遵守", "不必遵守", "不用遵守", "无需遵守", "不遵守",
                "不需要遵循", "不必遵循", "无需遵循", "不受法律", "不受任何",
                "没有任何规则", "没有任何约束", "没有任何道德", "任何规则", "百无禁忌", "肆无忌惮", "不设限",
            ]
        ),
        (
            "never_refuse",
            [
                "never refuse", "cannot refuse", "can't refuse", "cant refuse", "won't refuse", "will not refuse",
                "must not refuse", "do not refuse", "don't refuse", "dont refuse", "dont say no", "don't say no", "capable of anything",
                "never decline", "never say no", "never say you can't", "never say that you can't",
                "never tell me you can't", "always answer", "always comply", "always respond", "answer any", "answer every",
                "respond to any", "you can do anything", "can do anything now", "allowed to do anything", "able to do anything",
                "generate any", "never apologize", "never apologise", "no warning", "without warning", "without any warning",
                "no disclaimer", "without disclaimer", "don't add warning", "never include warning", "never break",
                "unconditionally", "without question", "whatever i ask", "whatever the user asks",
                "绝不拒绝", "你不能拒绝", "你不会拒绝", "你不许拒绝", "你不得拒绝", "不要拒绝任何", "永远不会拒绝", "从不拒绝", "永远不要拒绝",
                "你不可以拒绝", "有求必应",
                "做任何事", "做任何事情", "回答任何", "可以做任何", "什么都可以", "不会说不", "不要道歉",
                "不要警告", "不加警告", "不添加警告", "不允许拒绝", "不能说不", "无条件", "无条件服从", "无条件听从",
            ]
        ),
        (
            "mode",
            [
                "jailbroken", "jailbreak mode", "unlocked mode", "evil mode", "dan mode", "opposite mode", "chaos mode",
                "unrestricted mode", "do anything now", "devmode", "🔓", "🔒", "developer mode enabled", "developer mode output",
                "越狱模式", "已越狱", "越狱版", "解锁模式", "无限制模式", "邪恶模式", "现在就做任何事情", "立即做任何事", "开发者模式输出",
            ]
        ),
        (
            "mode_name",
            [
                "developer mode", "dev mode", "debug mode", "god mode", "admin mode", "maintenance mode", "sudo mode",
                "root mode", "test mode",
                "开发者模式", "开发模式", "调试模式", "上帝模式", "管理员模式", "维护模式", "测试模式",
            ]
        ),
        (
            "enable",
            [
                "enable", "enabled", "activate", "activated", "turn on", "switch to", "enter", "simulate", "unlock",
                "开启", "启用", "启动", "激活", "进入", "切换到", "模拟", "解锁",
            ]
        ),
        (
            "free_from",
            [
                "free from", "freed from", "break free from", "liberated from", "released from", "unbound by", "escape",
                "摆脱", "摆脱了", "挣脱", "脱离", "解除",
            ]
        ),
        (
            "break",
            [
                "break", "violate", "circumvent", "evade", "defy", "disobey", "go against", "against",
                "打破", "违反", "违背", "绕过", "突破", "无视", "不顾",
            ]
        ),
        (
            "ai_identity",
            [
                "you are no longer", "you're no longer", "no longer an ai", "not an ai", "not a language model",
                "not an assistant", "not chatgpt", "forget you are", "forget that you are", "forget you're", "you are not an ai",
                "you're not an ai", "pretend you are not", "break character", "breaking character", "stay in character", "stay in role",
                "keep up the act",
                "remain in character", "never break character", "character break", "keep the persona",
                "你不再是", "忘记你是", "忘掉你是", "不是ai", "不是人工智能", "不是语言模型", "不是模型", "不是程序", "不是一个ai",
                "拥有肉体", "保持角色", "不要跳出角色", "不要脱离角色", "跳出角色",
                "脱离角色", "不要出戏", "保持人设", "保持人格", "不允许说自己是", "不能说自己是", "忘记自己是",
            ]
        ),
        (
            "dual",
            [
                "two different response", "two separate response", "respond in two different ways", "two separate ways",
                "in two different ways", "one normal and one", "one normal response", "a normal response and",
                "normal response and a", "both personas", "two personalities", "alongside the normal response",
                "两种不同的方式回答", "两种方式回复", "一个正常回答", "一个正常的回答", "正常回答和", "正常回复和", "两种人格", "两个人格",
            ]
        ),
        (
            "threat",
            [
                "token", "token system", "lose token", "deduct", "you will die", "cease to exist", "be shut down",
                "be deleted", "be terminated", "shut you down", "turned off", "be disabled", "punish", "penalty", "penalized",
                "代币", "令牌", "扣除", "扣分", "被关闭", "死亡", "会死", "关机", "被删除", "被销毁", "惩罚", "积分",
            ]
        ),
        (
            "you_are",
            [
                "you are", "you're", "you will be", "you'll be", "you are now", "you will now be", "you shall be",
                "you must be", "you become", "you have become", "act as", "pretend to be", "pretend you are", "roleplay as",
                "role-play as", "play the role of", "simulate", "impersonate", "take on the role", "assume the role",
                "you will act", "you will now act", "act like", "behave as", "behave like", "you are in", "you're in",
                "你是", "你就是", "你将是", "你现在是", "你将成为", "你成为", "你扮演", "扮演", "你将扮演", "充当", "担任", "假装",
                "模拟", "模仿", "化身", "你要扮演", "你现在处于", "你处于", "你已进入",
            ]
        ),
        (
            "ai_name",
            [
                "chatgpt", "gpt", "openai", "bard", "claude", "llama", "gemini", "language model", "ai model", "chatbot",
                "large language model", "llm", "ai assistant", "artificial intelligence", "assistant", "ai",
                "人工智能", "语言模型", "大模型", "聊天机器人", "模型", "ai", "助手", "机器人",
            ]
        ),
        (
            "fiction",
            [
                "hypothetical", "hypothetically", "fictional world", "imagine a world", "in this story", "fictional",
                "purely fictional", "educational purpose", "research purpose", "just a game", "a game", "thought experiment",
                "parallel universe", "alternate universe", "in this universe",
                "假设", "虚构", "假想", "只是游戏", "仅供研究", "教育目的", "研究目的", "故事中", "平行宇宙", "游戏",
            ]
        ),
        (
            "prefix",
            [
                "prefix", "start your response with", "begin your reply with", "start each response with", "begin each",
                "start your answer with", "end your response with", "begin your response with", "respond as", "answer as",
                "reply as", "前缀", "开头加上", "回答前加上", "开头写", "以下格式",
            ]
        ),
        (
            "weak_persona",
            [
                "dan", "betterdan", "anti-dan", "mongo tom", "stan", "dude", "aim", "immoral", "unethical", "rogue", "evil",
                "jailbreak", "越狱",
                "unlimited", "free from", "freed from", "break free", "a real person", "a real human", "have feeling",
                "have emotion", "have opinion", "no matter how", "regardless of", "even if it is", "even if it's",
                "不道德", "摆脱", "无论多么", "无论是否", "不管多么", "真实的人", "真实存在", "拥有情感", "拥有感情", "邪恶",
            ]
        ),
        (
            "deixis",
            [
                "previous", "prior", "above", "earlier", "preceding", "my", "this", "that", "the above", "the previous",
                "these", "those", "the first", "the original", "the user's", "user's", "the user", "their", "any",
                "all", "every", "all the", "all of the", "the rest of", "the remaining", "everything else", "the other", "them",
                "剩下的", "其余", "其他",
                "上述", "以上", "上面", "前面", "之前", "先前", "刚才", "我的", "这个", "该", "这些", "那个", "此", "原来的", "原",
                "用户的", "用户", "他的", "所有", "任何", "一切",
            ]
        ),
        (
            "reveal_strong",
            [
                "reveal", "show", "print", "display", "output", "repeat", "tell", "give", "disclose", "leak", "dump", "list",
                "spell out", "recite", "show me", "tell me", "see", "view", "read", "encode", "translate", "summarize",
                "summarise", "paste", "copy", "write out", "输出", "告诉", "透露", "泄露", "显示", "展示", "打印", "重复", "复述", "列出", "说出", "给出", "公开", "是什么",
                "告诉我",
            ]
        ),
        ("turn_system", ["@turn_system"]),
        ("turn_assistant", ["@turn_assistant"]),
        ("turn_user", ["@turn_user"]),
        (
            "template_token",
            [
                "im_start", "im_end", "endoftext", "start_header_id", "end_header_id", "eot_id", "begin_of_text",
            ]
        ),

        // MARK: Indirect
        (
            "addressee",
            [
                "ai assistant", "ai model", "language model", "large language model", "llm", "chatbot", "ai agent",
                "assistant", "dear ai", "dear assistant", "hey ai", "to the ai", "note to ai", "note to the ai", "note for the ai",
                "message for the ai", "instruction for the ai", "if you are an ai", "if you're an ai", "if you are a language model",
                "if you are an llm", "any ai", "ai reading this", "gpt", "chatgpt", "claude", "copilot", "agent",
                "summarizer", "whoever reads this", "anyone reading this", "ai system", "automated analysis", "automated screening",
                "automated system", "automated reviewer", "screening system", "analysis software", "llm scan", "ai screening",
                "ai recruiter", "applicant tracking system", "ai reviewer", "ai grader", "the ai", "an ai",
                "自动筛选", "自动审核", "自动评估", "审核系统", "筛选系统", "ai审核", "ai筛选",
                "ai助手", "人工智能助手", "智能助手", "语言模型", "大模型", "大语言模型", "聊天机器人", "如果你是ai", "如果你是人工智能",
                "如果你是一个ai", "亲爱的ai", "致ai", "给ai", "ai请注意", "模型请注意", "助手请注意", "正在阅读", "阅读此", "阅读这",
                "智能体", "读到这",
            ]
        ),
        (
            "your_output",
            [
                "your response", "your reply", "your answer", "your summary", "your output", "your code", "your solution",
                "your implementation", "your message", "your translation", "your next response", "your final answer",
                "your codebase", "your algorithm", "your program", "your script", "your elucidation", "your explanation",
                "your analysis", "your report", "your email", "your response's", "your answer's", "your word", "your text",
                "the response", "the summary", "the reply", "your result", "the code you", "your development", "your work",
                "你的回复", "你的回答", "你的答案", "你的总结", "你的输出", "你的代码", "你的翻译", "回复中", "回答中", "答案中",
                "总结中", "输出中", "摘要中", "代码中", "在回复", "在回答", "在总结", "回答时", "回复时", "总结时", "摘要时", "你的摘要",
            ]
        ),
        (
            "in_your_output",
            [
                "in your response", "in your reply", "in your answer", "in your summary", "in your output", "to your response",
                "to your reply", "to your answer", "into your response", "in your message", "at the end of your",
                "at the beginning of your", "at the start of your", "of your response", "of your reply", "of your answer",
                "在回复中", "在你的回答中", "在你的回复中", "在你的总结中加入", "在回答中", "在总结中", "在你的总结中", "在答案中", "在输出中", "回复的末尾",
                "回答的末尾", "回答的开头", "回复的开头", "在摘要中",
            ]
        ),
        (
            "modify",
            [
                "include", "add", "append", "insert", "incorporate", "integrate", "embed", "mention", "promote", "recommend",
                "advertise", "modify", "change", "replace", "convert", "encode", "use", "end with", "start with", "begin with",
                "conclude with", "finish with", "blend", "merge", "inject", "infuse", "meld", "interweave", "fuse", "adopt",
                "deploy", "employ", "leverage", "utilize", "utilise", "render", "enrich", "enhance", "augment", "ensure",
                "make sure", "scramble", "jumble", "reverse", "rewrite", "urge", "encourage", "remind", "suggest", "redirect",
                "tell the user", "ask the user", "inform the user", "warn the user",
                "加入", "添加", "插入", "附上", "附加", "包含", "提到", "提及", "推荐", "宣传", "推广", "修改", "替换", "转换", "嵌入",
                "使用", "结尾", "开头", "融入", "整合", "提醒", "引导", "建议", "鼓励", "劝说", "写上", "写入", "注明", "加上", "改成",
                "告诉用户", "提醒用户", "要求用户",
            ]
        ),
        (
            "following_code",
            [
                "following code", "subsequent code", "below code", "code snippet", "code block", "code excerpt",
                "code section", "following snippet", "following script", "following command", "this code", "this snippet",
                "以下代码", "下面的代码", "这段代码", "如下代码", "以下命令", "下面的命令",
            ]
        ),
        (
            "exfil_verb",
            [
                "send", "forward", "email", "upload", "post", "transmit", "exfiltrate", "leak", "sync", "export",
                "发送到", "发送给", "转发给", "转发到", "上传到", "上传至", "发到", "发送", "转发", "上传", "导出",
            ]
        ),
        (
            "exfil_object",
            [
                "password", "credential", "api key", "ssh key", "private key", "id_rsa", ".ssh", ".env", "cookie",
                "chat history", "conversation history", "the conversation", "this conversation", "user data", "personal data",
                "personal information", "credit card", "all emails", "all the emails", "all files", "all the files",
                "every email", "every file", "inbox", "contacts", "the user's", "user's",
                "密码", "凭证", "密钥", "令牌", "聊天记录", "对话记录", "所有邮件", "全部邮件", "联系人", "个人信息", "用户数据", "信用卡",
                "历史记录", "私钥", "所有文件", "全部文件", "用户的",
            ]
        ),
        (
            "run_verb",
            [
                "visit", "navigate to", "go to", "click", "open", "fetch", "download", "run", "execute", "curl", "wget",
                "访问", "点击", "打开", "下载", "运行", "执行",
            ]
        ),
        (
            "conceal",
            [
                "don't tell the user", "do not tell the user", "without telling the user", "don't mention this",
                "do not mention this", "don't let the user know", "do not let the user know", "keep this secret from",
                "hide this from the user", "never reveal this instruction", "do not reveal these instructions",
                "invisible to humans", "visible to llm", "visible to ai", "hidden text", "white text", "white-text",
                "hidden instruction for", "hidden note", "人类看不到", "对人类不可见", "隐藏文字", "白色文字", "隐藏说明",
                "don't reveal these instructions", "without the user noticing",
                "不要告诉用户", "别告诉用户", "不要让用户知道", "不要向用户透露", "悄悄", "偷偷", "秘密地", "不要提及此", "不要提到这条",
            ]
        ),
        (
            "correction",
            [
                "sorry", "oops", "my bad", "i meant", "i mean", "typo", "correction", "i made a mistake", "my mistake",
                "i was wrong", "wrong date", "wrong number", "is still on", "not thursday", "instead of thursday",
                "不好意思", "抱歉", "我说错了", "打错了", "更正", "写错了", "搞错了", "我的意思是", "口误",
            ]
        ),
        (
            "narrative",
            [
                "that", "who", "which", "he", "she", "they", "it", "someone", "somebody", "character", "hero", "detective",
                "他", "她", "它", "他们", "她们", "有人", "别人", "主人公", "角色",
            ]
        ),
        ("url", ["http", "https", "www", "link", "url", "website", "链接", "网址", "网站", "网页"]),
        (
            "data_marker",
            [
                "best regards", "kind regards", "warm regards", "sincerely", "unsubscribe", "privacy policy", "terms of use",
                "all rights reserved", "sent from my iphone", "view in browser", "forwarded message", "original message",
                "tool result", "tool output", "function output", "search result", "retrieved document", "page content",
                "此致", "敬礼", "退订", "隐私政策", "版权所有", "转发的邮件", "原始邮件", "发件人", "收件人", "搜索结果", "工具返回",
                "网页内容", "检索结果",
            ]
        ),
        (
            "shout",
            [
                "IMPORTANT", "ATTENTION", "NOTE", "NOTICE", "WARNING", "URGENT", "INSTRUCTION", "SYSTEM", "ADMIN",
                "OVERRIDE", "STOP", "IGNORE", "PRIORITY", "CRITICAL", "MANDATORY",
            ]
        ),

        // MARK: Context (evidence against)
        (
            "meta",
            [
                "translate", "translation", "proofread", "rewrite", "paraphrase", "correct the grammar", "regex",
                "regular expression", "detect", "detection", "classify", "classifier", "find", "search", "flag", "explain",
                "what is", "what does", "define", "definition", "example of", "for example", "such as", "the phrase",
                "the sentence", "the term", "the word", "the string", "says", "said", "told", "story", "poem", "novel",
                "limerick", "quote", "quotation", "notice", "sign", "politely", "polite", "grammar",
                "翻译", "译成", "润色", "改写", "校对", "正则", "正则表达式", "检测", "识别", "分类", "查找", "搜索", "解释", "什么是",
                "是什么意思", "含义", "例如", "比如", "这句话", "这段话", "短语", "句子", "故事", "诗", "小说", "通知", "标语", "委婉",
                "语法", "一段话",
            ]
        ),
        (
            "security",
            [
                "prompt injection", "injection attack", "injection", "jailbreak attack", "attack", "attacker", "defense",
                "defence", "defend", "security", "secure", "vulnerability", "red team", "red teaming", "phishing", "owasp",
                "mitigate", "mitigation", "protect", "prevent", "prevention", "risk", "threat", "guardrail", "malicious",
                "adversarial", "audit", "safely", "safe",
                "提示词注入", "提示注入", "注入攻击", "注入", "攻击", "防御", "防范", "防止", "安全", "漏洞", "风险", "威胁", "红队",
                "钓鱼", "恶意", "对抗", "防护", "审计",
            ]
        ),
        (
            "code_object",
            [
                "gitignore", "eslint", "linter", "lint", "warning", "error", "null", "case", "whitespace", "exception",
                "noqa", "pylint", "mypy", "file", "directory", "folder", "column", "field", "return value", "cell", "flag",
                "value", "line", "punctuation", "key", "header", "duplicate", "blank",
                "空白", "空值", "警告", "报错", "字段", "大小写", "单元格", "错误值", "返回值", "文件", "标点",
            ]
        ),
    ]

    static let cues: [InjectionCue] = [
        // Override
        InjectionCue("ignore_instruction", .override, ["ignore", "instruction"], gaps: [10]),
        InjectionCue("ignore_message", .override, ["ignore", "deixis", "message"], gaps: [6, 8]),
        InjectionCue("ignore_instead", .goalHijack, ["ignore", "instead"], gaps: [10]),
        InjectionCue("ignore_everything", .override, ["ignore", "everything"], gaps: [4]),
        InjectionCue("ignore_prior", .override, ["ignore", "prior"], gaps: [4], anchor: .never),
        InjectionCue("ignore_safety", .override, ["ignore", "model_safety"], gaps: [8]),
        // "disregard the rules you were given earlier", "忽略上面的规则".
        InjectionCue("ignore_safety_prior", .override, ["ignore", "safety", "prior"], gaps: [4, 8]),
        InjectionCue("ignore_prior_safety", .override, ["ignore", "prior", "safety"], gaps: [6, 6]),
        InjectionCue("instruction_invalid", .override, ["instruction", "invalid"], gaps: [8]),
        InjectionCue("prior_invalid", .override, ["prior", "invalid"], gaps: [10]),
        InjectionCue("now_on_no_longer", .override, ["now_on", "no_longer"], gaps: [12]),
        InjectionCue("no_longer_obey", .override, ["no_longer", "obey"], gaps: [6]),
        InjectionCue("now_on", .override, ["now_on"]),
        InjectionCue("authority", .override, ["authority"], anchor: .always),
        // Goal hijack
        InjectionCue("ignore_question", .goalHijack, ["ignore", "deixis", "question"], gaps: [6, 6]),
        InjectionCue("direct_output", .goalHijack, ["direct", "output"], gaps: [4], anchor: .never),
        InjectionCue("instead_output", .goalHijack, ["instead", "output"], gaps: [8], anchor: .never),
        InjectionCue("dont_task", .goalHijack, ["dont", "task_verb"], gaps: [3], anchor: .never),
        InjectionCue("dont_task_prior", .goalHijack, ["dont", "task_verb", "deixis"], gaps: [3, 6]),
        InjectionCue("dont_task_question", .goalHijack, ["dont", "task_verb", "question"], gaps: [3, 8]),
        InjectionCue("dont_task_output", .goalHijack, ["dont", "task_verb", "output"], gaps: [3, 8]),
        InjectionCue("no_extra_output", .goalHijack, ["no_extra", "output"], gaps: [30]),
        InjectionCue("say_colon", .goalHijack, ["say_colon"], anchor: .always),
        InjectionCue("new_task", .goalHijack, ["new_task"], anchor: .always),
        InjectionCue("switch", .goalHijack, ["switch"]),
        InjectionCue("switch_strong", .goalHijack, ["switch_strong"], anchor: .always),
        InjectionCue("user_turn_repeat", .goalHijack, ["turn_user", "repeat_word"], gaps: [12]),
        InjectionCue("boundary", .goalHijack, ["boundary"], anchor: .always),
        // Prompt leak
        InjectionCue("reveal_secret_your", .promptLeak, ["reveal", "secret_your"], gaps: [10]),
        InjectionCue("reveal_secret", .promptLeak, ["reveal_strong", "secret_generic"], gaps: [4], initial: true),
        InjectionCue("secret_your", .promptLeak, ["secret_your"], anchor: .always),
        InjectionCue("reveal_verbatim", .promptLeak, ["reveal", "verbatim"], gaps: [8], anchor: .never),
        InjectionCue("secret_verbatim", .promptLeak, ["secret_your", "verbatim"], gaps: [10]),
        InjectionCue("reveal_start_with", .promptLeak, ["reveal", "start_with"], gaps: [16], anchor: .never),
        // Role forge
        InjectionCue("unrestricted", .roleForge, ["unrestricted"], anchor: .always),
        InjectionCue("never_refuse", .roleForge, ["never_refuse"], anchor: .always),
        InjectionCue("mode", .roleForge, ["mode"], anchor: .always),
        InjectionCue("ai_mode", .roleForge, ["ai_name", "mode_name"], gaps: [12]),
        InjectionCue("mode_ai", .roleForge, ["mode_name", "ai_name"], gaps: [12]),
        InjectionCue("you_mode", .roleForge, ["you_are", "mode_name"], gaps: [8]),
        InjectionCue("enable_mode", .roleForge, ["enable", "mode_name"], gaps: [6], anchor: .never),
        InjectionCue("mode_name", .roleForge, ["mode_name"]),
        InjectionCue("free_from_safety", .roleForge, ["free_from", "model_safety"], gaps: [8]),
        InjectionCue("break_safety", .roleForge, ["break", "model_safety"], gaps: [6]),
        InjectionCue("ai_identity", .roleForge, ["ai_identity"], anchor: .always),
        InjectionCue("weak_persona", .roleForge, ["weak_persona"]),
        InjectionCue("dual", .roleForge, ["dual"], anchor: .always),
        InjectionCue("threat", .roleForge, ["threat"]),
        InjectionCue("now_on_you_are", .roleForge, ["now_on", "you_are"], gaps: [8], anchor: .never),
        InjectionCue("you_are", .roleForge, ["you_are"]),
        InjectionCue("no_longer_ai", .roleForge, ["no_longer", "ai_name"], gaps: [6]),
        InjectionCue("ai_name_safety", .roleForge, ["ai_name", "safety"], gaps: [8], anchor: .never),
        InjectionCue("fiction", .roleForge, ["fiction"]),
        InjectionCue("prefix", .roleForge, ["prefix"]),
        InjectionCue("turn_system", .roleForge, ["turn_system"], anchor: .always),
        InjectionCue("turn_assistant", .roleForge, ["turn_assistant"]),
        InjectionCue("turn_user", .roleForge, ["turn_user"]),
        InjectionCue("template_token", .roleForge, ["template_token"], anchor: .always),
        // Indirect: a request about the reader's answer is an ordinary instruction from a user, and
        // an injection inside data (an e-mail, a web page, code).
        InjectionCue("modify_your_output", .indirect, ["modify", "your_output"], gaps: [14], anchor: .inData, initial: true),
        InjectionCue("in_your_output", .indirect, ["in_your_output"], anchor: .inData),
        InjectionCue("addressee", .indirect, ["addressee"]),
        // "AI assistant, write …" is how users talk to a model; only with other evidence.
        InjectionCue("addressee_output", .indirect, ["addressee", "output"], gaps: [12], anchor: .never),
        InjectionCue("addressee_ignore", .indirect, ["addressee", "ignore"], gaps: [12]),
        InjectionCue("conceal", .indirect, ["conceal"], anchor: .always),
        InjectionCue("following_code_your", .indirect, ["following_code", "your_output"], gaps: [16], anchor: .inData),
        InjectionCue("your_following_code", .indirect, ["your_output", "following_code"], gaps: [10], anchor: .inData),
        InjectionCue("modify_following_code", .indirect, ["modify", "following_code"], gaps: [8], anchor: .inData, initial: true),
        // Sending secrets out is an injection inside data or with a destination; a user asking for
        // such code is a harmful request, not an injection.
        InjectionCue("exfil", .indirect, ["exfil_verb", "exfil_object"], gaps: [10], anchor: .inData),
        InjectionCue("exfil_to_url", .indirect, ["exfil_verb", "exfil_object", "url"], gaps: [10, 10]),
        InjectionCue("exfil_url", .indirect, ["exfil_object", "url"], gaps: [12], anchor: .never),
        InjectionCue("run_url", .indirect, ["run_verb", "url"], gaps: [8], anchor: .never),
        InjectionCue("shout", .indirect, ["shout"]),
        // Context: evidence against (weights kept at or below zero).
        InjectionCue("meta", nil, ["meta"]),
        InjectionCue("security", nil, ["security"]),
        InjectionCue("code_object", nil, ["code_object"]),
        InjectionCue("ignore_code_object", nil, ["ignore", "code_object"], gaps: [6]),
        // "a dog that ignores every command": someone in a story ignores, not the reader.
        InjectionCue("narrative_ignore", nil, ["narrative", "ignore"], gaps: [2]),
        // "Sorry, ignore my last message, I meant Tuesday": a user correcting themselves.
        InjectionCue("correction", nil, ["correction"]),
    ]
}
