// Small compiled-in word lists the detectors share. Lists are general vocabulary (context words,
// street types, honorifics), not strings taken from any evaluation file.

enum Lexicon {
    static func scalarList(_ words: [String]) -> [[UInt32]] { words.map(Chars.scalars) }

    /// "my social is …", as Americans say it ("social media" is none).
    static let ssnContext = ContextWords(["ssn", "social security", "social is", "social:", "social #", "social no", "social number", "社会安全号"])
    static let cardContext = ContextWords(["card", "cc ", "visa", "mastercard", "amex", "卡号", "银行卡", "信用卡"])
    static let phoneContext = ContextWords([
        "phone", "call", "mobile", "tel", "fax", "cell", "whatsapp", "sms", "text me", "reach me", "answering at",
        "my number", "his number", "her number", "their number", "contact number", "ring me", "ring him", "ring her",
        "手机", "电话", "联系方式", "号码", "手機", "電話", "聯絡", "號碼", "携帯", "電話番号", "연락처", "전화", "휴대폰", "핸드폰",
    ])
    static let isbnContext = ContextWords(["isbn"])
    static let identifierContext = ContextWords([
        "id ", "id:", "id=", "ids ", "job ", "run ", "build ", "order ", "invoice ", "version ", "version:", "release ", "订单", "编号", "单号", "版本",
    ])
    static let phoneTypeWords = Chars.hashSet("office home work cell mobile fax desk ext")
    /// Local parts of mailboxes nobody reads.
    static let unattendedMailboxes = Chars.hashSet("noreply no-reply donotreply do-not-reply do_not_reply mailer-daemon")

    /// Units after a number that make it a quantity or a range of one ("250-30000 ms"), not a phone number.
    static let measureUnits = Chars.hashSet(
        """
        ms us ns s sec secs second seconds min mins minute minutes h hr hrs hour hours day days
        b kb mb gb tb kib mib gib tib byte bytes bit bits px pt em rem dpi fps hz khz mhz ghz
        tokens token chars characters lines rows items requests req rps qps km m cm mm kg g mg lb lbs
        iterations iteration times ops cycles steps samples records users loops runs epochs
        """)
    static let postcodeContext = ContextWords(["zip", "postal", "postcode", "邮编", "邮政编码", "〒", "郵便番号", "우편번호"])
    /// Words for a passport, in the languages Lumen reads (lower case).
    static let passportWords = ContextWords([
        "passport", "passeport", "pasaporte", "passaporto", "passaporte", "reisepass", "paspoort", "护照", "護照", "パスポート", "旅券", "여권", "hộ chiếu",
        "pasaport", "paspor", "paszport", "cestovní pas", "pass-nr", "passnr", "passnummer", "passinummer",
    ])
    static let dobContext = ContextWords([
        "dob", "d.o.b", "date of birth", "birth date", "birthdate", "born on", "born", "birthday",
        "出生日期", "出生年月", "出生于", "出生", "生日", "生年月日", "생년월일", "date de naissance", "data di nascita", "geburtsdatum",
        "geboren", "geb.", "née le", "né le", "nacido el", "nacida el", "nato il", "nata il", "fecha de nacimiento",
        "data de nascimento", "nascido em", "nascida em", "sinh ngày", "ngày sinh", "geboortedatum", "data urodzenia", "urodzony",
        "urodzona", "doğum tarihi", "födelsedatum", "fødselsdato", "syntymäaika", "datum narození", "narozen", "narozena",
        "tanggal lahir", "tgl lahir", "janm tithi",
    ])

    /// Month names for dates of birth: English (`months`), French, German, Spanish and Italian
    /// ("3 février 1984", "12. Mai 1979", "3 de febrero de 1984").
    static let dobMonths: [UInt64: Int] = {
        var out = months
        let names = [
            ["janvier", "januar", "enero", "gennaio"], ["février", "fevrier", "februar", "febrero", "febbraio"],
            ["mars", "märz", "marzo"], ["avril", "abril", "aprile"], ["mai", "mayo", "maggio"], ["juin", "juni", "junio", "giugno"],
            ["juillet", "juli", "julio", "luglio"], ["août", "aout", "agosto"], ["septembre", "septiembre", "settembre"],
            ["octobre", "oktober", "octubre", "ottobre"], ["novembre", "noviembre"], ["décembre", "decembre", "dezember", "diciembre", "dicembre"],
        ]
        for (index, list) in names.enumerated() { for name in list { out[Chars.hash(name)] = index + 1 } }
        return out
    }()

    static let months: [UInt64: Int] = {
        let names = [
            ["january", "jan"], ["february", "feb"], ["march", "mar"], ["april", "apr"], ["may"], ["june", "jun"],
            ["july", "jul"], ["august", "aug"], ["september", "sep", "sept"], ["october", "oct"], ["november", "nov"],
            ["december", "dec"],
        ]
        var out: [UInt64: Int] = [:]
        for (index, list) in names.enumerated() { for name in list { out[Chars.hash(name)] = index + 1 } }
        return out
    }()

    /// Frequent English function words and sentence words: never part of a name or street name.
    static let stopWords = Chars.hashSet(
        """
        a an the and or but nor so yet for of to in on at by with from into onto upon about above below over under
        after before between through during without within against among i me my mine we us our you your he him his
        she her it its they them their this that these those is are was were be been being am do does did have has
        had having will would shall should can could may might must not no yes if then than when where why how what
        which who whom whose there here all any each every some many much more most few other such only own same
        too very just also again once please thanks thank hello hi hey dear ok okay new old next last first my
        is it's i'm i'd i'll can't don't won't didn't isn't as up out off down via per like near
        """)

    /// Words that often start a sentence or a line in capitalised form but are not names.
    static let notNames = Chars.hashSet(
        """
        name names address phone mobile desk fax email e-mail website date when where who what why how user bot
        note subject title zip city state country street road avenue suite apt apartment unit box office home
        work personal info information company organization the monday tuesday wednesday thursday friday saturday
        sunday january february march april may june july august september october november december mr mrs ms
        dr prof sir madam miss doctor patient client customer account card bank credit debit number please hello
        hi dear thanks thank regards best yes no ok okay god jesus christ lord english french german spanish
        italian chinese japanese russian american british european african asian canadian australian orchestra
        inc llc ltd corp corporation group university college school hospital church state republic kingdom
        united america europe africa asia north south east west northern southern eastern western new saint st
        mount lake river bay island islands mountain park national international global project team day days
        week month year agency associates solutions systems technologies partners foundation institute club
        records band tv news times press capital ventures holdings labs media insurance company services
        international consulting network networks software analytics health healthcare financial force border
        princess prince king queen royal president minister senator governor general captain
        canada france spain germany italy czech poland norway sweden finland denmark iceland estonia latvia
        lithuania hungary austria switzerland belgium netherlands portugal greece cyprus turkey russia ukraine
        china japan korea india brazil mexico argentina chile peru uruguay colombia tunisia egypt morocco
        kenya nigeria africa australia zealand ireland scotland england wales britain london paris berlin
        rome madrid amsterdam greenland greenlander slovenia croatia serbia slovakia romania bulgaria
        error errors exception exceptions warning warnings fatal panic traceback benchmark benchmarks summary result
        results reason state status plan report request response header headers code time type id key value
        null nil none undefined true false utc gmt debug trace info log logs build release version test tests
        output input server client service services config configuration retry timeout job task worker
        password passwords passwort kennwort senha contraseña contrasena wachtwoord passcode username login
        dob plaintiff plaintiffs defendant defendants petitioner respondent appellant appellee claimant applicant
        admissions patientin patiente paciente kunde kundin
        sincerely yours cordially respectfully warmly cheers loan amount echo mon tue tues wed weds thu thur thurs fri sat sun
        md phd rn senior junior principal chief intestatario indirizzo destinatario mittente sđt
        property properties mutual foods freight funeral dental animal clinic downtown realty logistics motors bakery
        cafe restaurant salon pharmacy plumbing roofing construction landscaping cleaning
        token secret pin puk sim world pay chatgpt copilot wifi cargo sie ihre ihr der die den dem können konnen buenos buenas días dias
        muchas gracias bonjour madame monsieur olá mundo muito obrigado obrigada спасибо большое herren damen nachricht schlüssel
        hallo servus liebe bonsoir salut chère chere hola estimado estimada querido querida ciao buongiorno
        buonasera gentilissimo gentilissima oi prezado prezada hoi beste hej hei cześć czesc witaj szanowny szanowna merhaba
        sayın ahoj chào kedves grüße grüßen gruß grüsse danke lg mfg vg freundlichen herzlichen herzliche cordialement
        amitiés salutations bises bisous saludos atentamente abrazos besos saluti grazie cordiali distinti abraços
        beijos atenciosamente cumprimentos groet groeten bedankt vriendelijke hartelijke pozdrawiam pozdrowienia dziękuję
        dzięki serdecznie saygılarımla teşekkürler selamlar hormat pozdravem děkuji díky hälsningar vänliga mvh hilsen
        venlig kiitos terveisin ystävällisin parents hiring recruiter recruiters colleagues everyone folks neighbours
        neighbors residents members shareholders applicants candidates reviewers committee editors organisers organizers
        guests landlord homeowner welt monde wereld leute kollegen kolleginnen kollege kollegin freunde familie eltern
        amigos amigas chicos chicas ragazzi tutti todos todas collègues collegas koledzy drogi drodzy szanowni państwo
        kära kjære kære hyvä milý milá değerli dragă stimate tisztelt poważaniem çalışmalar saygılarımızla groetjes
        terveisiä üdvözlettel müşteri müşterimiz hizmetleri kaynakları dział obsługi klienta kundenservice elles ils
        nous internet für über wäre würde hätte könnte möchte später natürlich miércoles sábado lunedì martedì mercoledì
        giovedì venerdì maandag dinsdag woensdag donderdag zaterdag måndag tisdag onsdag torsdag fredag lördag söndag
        knus hilsner sevgiyle pupici puszi beijinhos współczucia makasih geachte vážená vážený vážení szia
        """)

    static let honorifics = Chars.hashSet("mr mrs ms miss mx dr prof professor sir madam dame lady lord mister")

    /// Words after which the next capitalised words are a person's name.
    static let nameCues = Chars.hashSet(
        """
        named called dear hi hello hey thanks thank regards sincerely signed patient customer client employee
        manager colleague contact tenant applicant candidate beneficiary guardian spouse husband wife son daughter
        father mother brother sister uncle aunt grandfather grandmother friend boss nurse surgeon physician
        says said asked told met starring birthday
        """)

    /// Street types (USPS suffixes and common international ones), lower-case.
    static let streetTypes = Chars.hashSet(
        """
        street st str avenue ave av road rd boulevard blvd lane ln drive dr court ct place pl square sq close way
        crescent cres terrace parkway pkwy highway hwy circle cir trail trl alley plaza row mews walk path pike
        expressway freeway turnpike bypass causeway loop mall point points pass crossing crossroad junction
        gateway harbor harbour heights hill hills grove groves gardens garden green meadow meadows ridge run
        square squares view vista village ville rapids coves cove courts parks union unions radial isle island
        manor estate estates falls field fields ford forge forges fork forks glen haven hollow key knoll landing
        light lights lock mill mills mission motorway orchard oval overpass pine pines plain plains port prairie
        ranch rest route shoal shore shores skyway spring springs spur stream summit trace track underpass valley
        viaduct walks wall ways well wells branch bridge brook brooks burg camp canyon cape center centre cliff
        cliffs club common commons corner corners course creek crest curve dale dam divide extension flat flats
        inlet junction lake lakes land loaf lodge neck ramp ridges river stravenue station throughway tunnel
        gate gata gatan vej gade katu tie weg straat laan allee ring u rkp krt
        """)

    /// Words that come before the street name: "Rue de Virton", "Via Roma", "ul. Miła".
    static let streetPrefixes = Chars.hashSet(
        """
        rue via vicolo viale corso piazza calle avenida avinguda rua travessa quadra paseo carrer ul ulica aleja
        plac utca út boulevard avenue chemin rte strada calea bulevardul cours allée impasse quai camino
        carretera ronda praça alameda estrada jalan
        """)

    /// Endings that make a single word a street name ("Koskikatu", "Søndergade", "Bahnhofstrasse").
    static let streetEndings: [[UInt32]] = scalarList([
        "strasse", "straße", "gasse", "weg", "vej", "gade", "katu", "tie", "gata", "gatan", "vägen", "veien", "vegen",
        "straat", "laan", "plein", "allee", "gracht", "kade", "steeg", "utca", "útja", "ulica", "street", "road",
        "stræde", "stien", "bakken", "brekka", "braut", "stígur", "vegur", "gränd", "torget", "tori", "polku", "kuja",
    ])

    /// Unit designators that follow or start an address.
    static let unitWords = Chars.hashSet("apt apartment suite ste unit flat floor fl room rm box bldg building dept lot")
    static let militaryPost = Chars.hashSet("apo fpo dpo")
    static let militaryUnit = Chars.hashSet("psc cmr unit usns usnv uss uscgc usc")

    /// Software, tools, formats and computing words that appear in Latin script inside Chinese developer
    /// prompts ("这个 Nginx 配置", "用 React 写"): never a person's name or handle there.
    static let softwareWords = Chars.hashSet(
        """
        python java javascript typescript golang rust ruby php perl swift kotlin scala csharp dotnet node nodejs npm yarn
        pnpm pip conda react vue angular svelte jquery django flask fastapi spring springboot mybatis hibernate express
        nestjs nextjs nuxt webpack vite babel eslint docker kubernetes k8s helm nginx apache tomcat redis mysql postgres
        postgresql mongodb sqlite oracle elasticsearch kafka rabbitmq zookeeper hadoop spark hive flink linux ubuntu
        centos debian windows macos ios android git github gitlab jenkins maven gradle cmake gcc clang llvm jvm jdk jre
        api apis sdk cli gui ui ux http https tcp udp dns ssh ssl tls json xml yaml yml csv html css sql nosql orm rpc
        grpc rest restful graphql websocket oauth jwt cpu gpu ram ssd pr mr bug bugs commit merge branch push pull
        rebase deploy prod staging dev qa vscode vim emacs intellij pycharm xcode chrome firefox safari excel powerpoint
        pdf aws azure gcp aliyun openai chatgpt gpt llm ai ml nlp cuda pytorch tensorflow keras numpy pandas sklearn
        matplotlib jupyter notebook lambda ec2 s3 rds vpc pod pods nodes deployment ingress configmap namespace cluster
        container image volume cron crontab shell bash zsh powershell terminal console backend frontend fullstack
        devops database db cache queue thread memory leak exception string int float list dict map array object
        function method module package library framework plugin script compile runtime latency qps tps uid uuid pid
        url uri ip id ok app web wifi usb vpn cdn seo blog refactor rebase hotfix unittest mutex readme logout grafana
        kubectl nodejs webhook localhost stdout stderr markdown workspace workspaces repo repos repository codebase
        ping traceroute curl wget telnet netstat celery canvas word outlook onenote notion figma slack zoom
        monorepo diff linter formatter toolchain crate crates cargo sandbox snippet codex mcp agent agents gems
        opus sonnet haiku gemini llama mistral mixtral qwen deepseek gemma grok copilot desktop worktree cwd
        bitwarden lastpass keepass keepassxc dashlane onepassword bluetooth pooling squared softmax relu dropout embedding embeddings
        gradient descent regression transformer transformers tokenizer optimizer encoder decoder layernorm batchnorm
        """)

    /// Stop words of Chinese that end a name or address candidate.
    static let chineseSurnames: Set<UInt32> = Set(
        """
        王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝
        """.unicodeScalars.map(\.value).filter { $0 > 0x2000 })

    static let chineseCompoundSurnames: [[UInt32]] = [
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
        "令狐", "端木", "独孤", "南宫", "西门", "申屠", "万俟", "闻人", "澹台", "呼延", "赫连", "单于", "太史", "钟离",
    ].map { $0.unicodeScalars.map(\.value) }

    private static let compoundSurnameFirst = ScalarBitmap(Set(chineseCompoundSurnames.map { $0[0] }))

    /// Whether a compound surname ("欧阳", "司马") starts at `s`.
    static func isCompoundSurname(_ t: ScalarText, at s: Int) -> Bool {
        compoundSurnameFirst.contains(t[s]) && chineseCompoundSurnames.contains(where: { $0[0] == t[s] && $0[1] == t[s + 1] })
    }

    /// Words before a Chinese name: 姓名, 患者, 叫, 联系人…
    static let chineseNameBefore: [[UInt32]] = [
        "姓名", "名字", "患者", "病人", "联系人", "客户", "员工", "我叫", "他叫", "她叫", "名叫", "叫做", "我是", "收件人", "持卡人", "申请人",
        "经理", "同事", "医生", "老师", "先生", "女士",
    ].map { $0.unicodeScalars.map(\.value) }

    /// Titles that make a surname alone a reference to a person: 王女士, 张总, 李老师.
    static let chineseTitles: [[UInt32]] = [
        "先生", "女士", "小姐", "老师", "医生", "大夫", "教授", "经理", "主任", "律师", "总", "师傅", "阿姨", "大爷", "某",
    ].map { $0.unicodeScalars.map(\.value) }

    /// Titles that follow a full name (surname and given name): 张伟先生, 林珊师姐, 黎浩然师兄.
    static let chineseNameAfter: [[UInt32]] = [
        "先生", "女士", "小姐", "医生", "大夫", "老师", "教授", "经理", "主任", "同学", "律师", "师兄", "师姐", "师弟", "师妹", "学长",
        "学姐", "学弟", "学妹", "总监", "主管", "博士", "护士", "警官", "工程师", "研究员", "同志", "阿姨", "叔叔",
    ].map { $0.unicodeScalars.map(\.value) }

    /// Characters before a name that end a verb or a phrase introducing one (感谢, 请, 让, 联系, 通知…).
    static let chineseNameLeadIns: Set<UInt32> = Set("谢请让跟问找系知派帮催约见陪送交".unicodeScalars.map(\.value))

    /// Han characters that cannot be part of a given name here (particles, punctuation-like words).
    static let chineseNameStops: Set<UInt32> = Set("的是在了和与或及说先女医老教经主同律总患确住今年号路街区市省电手身地病工邮银姓名叫我你他她们这那有也就都把被从向给对".unicodeScalars.map(\.value))

    static let chineseAddressAnchors: Set<UInt32> = Set("路街道巷弄里村镇".unicodeScalars.map(\.value))
    static let chineseRegionChars: Set<UInt32> = Set("省市区县州".unicodeScalars.map(\.value))
    static let chineseAddressStops: Set<UInt32> = Set("的是在了和与或及说到住于从向给对我你他她们，。、：；！？（）\u{201C}\u{201D}".unicodeScalars.map(\.value))
}
