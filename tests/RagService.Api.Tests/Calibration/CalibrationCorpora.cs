namespace RagService.Api.Tests.Calibration;

/// <summary>Collections for the fusion-calibration tests: one document per paragraph, each one chunk.</summary>
internal static class CalibrationCorpora
{
    /// <summary>
    /// Forty Chinese paragraphs, each about its own (made-up) museum: most of their characters are not in
    /// all-MiniLM-L6-v2's vocabulary, so the model sees them as [UNK].
    /// </summary>
    public static IReadOnlyList<(string Id, string Text)> Chinese()
    {
        string[] cities = ["杭州", "苏州", "洛阳", "西安", "成都", "昆明", "厦门", "桂林", "扬州", "绍兴"];
        string[] crafts = ["瓷器", "丝绸", "茶叶", "漆器"];
        string[] rivers = ["钱塘江", "运河", "洛河", "渭河", "锦江", "滇池", "筼筜湖", "漓江", "瘦西湖", "鉴湖"];
        string[] dynasties = ["唐代", "宋代", "明代", "清代"];
        string[] seasons = ["春季", "夏季", "秋季", "冬季"];
        var docs = new List<(string, string)>();
        for (var i = 0; i < 40; i++)
        {
            var city = cities[i % cities.Length];
            var craft = crafts[i / cities.Length];
            docs.Add(($"zh-{i:00}",
                $"{city}{craft}博物馆位于{rivers[i % rivers.Length]}东岸，始建于{1920 + (i * 7)}年，是当地最早的{craft}专题展馆。" +
                $"馆内收藏{craft}相关文物{300 + (i * 13)}件，其中{dynasties[(i + (i / 10)) % 4]}时期的{craft}精品最为珍贵，常年在二楼展厅陈列。" +
                $"每年{seasons[(i * 3) % 4]}，{city}都会举办{craft}文化节，吸引游客约{2 + (i % 9)}万人次前来参观{city}{craft}。"));
        }

        return docs;
    }

    /// <summary>Forty English paragraphs on forty different subjects, written for these tests.</summary>
    public static IReadOnlyList<(string Id, string Text)> English() =>
    [
        ("en-00", "Honeybees communicate the location of flowers with a waggle dance. The angle of the dance shows the direction relative to the sun, and its length tells the distance to the food."),
        ("en-01", "The Great Barrier Reef is the largest coral system on Earth. Rising sea temperatures cause bleaching, in which corals expel the algae that feed them and turn white."),
        ("en-02", "Sourdough bread rises because of wild yeast and lactic acid bacteria living in a starter. The bacteria produce the sour taste, while the yeast releases carbon dioxide that lifts the dough."),
        ("en-03", "A solar eclipse happens when the Moon passes between the Sun and the Earth. During totality the sky darkens and the corona of the Sun becomes visible as a pale glow."),
        ("en-04", "The printing press built by Johannes Gutenberg used movable metal type. It made books far cheaper and helped spread literacy across Europe in the fifteenth century."),
        ("en-05", "Penguins in Antarctica huddle together to survive the winter wind. Birds on the outside slowly rotate toward the warm centre, so every penguin gets a turn out of the cold."),
        ("en-06", "Vaccines train the immune system by showing it a harmless piece of a pathogen. Memory cells then recognise the real infection quickly and stop it before it causes serious illness."),
        ("en-07", "The Panama Canal links the Atlantic and Pacific oceans through a system of locks. Ships are raised to an artificial lake and lowered again, saving a long voyage around South America."),
        ("en-08", "Chess engines evaluate millions of positions per second. Modern programs combine deep search with neural networks that judge how promising a position looks for each side."),
        ("en-09", "Volcanic eruptions can cool the global climate for a few years. Sulphur dioxide forms tiny droplets high in the atmosphere that reflect sunlight back into space."),
        ("en-10", "Marathon runners rely on glycogen stored in their muscles and liver. When those stores run out, often near the thirtieth kilometre, athletes describe it as hitting the wall."),
        ("en-11", "The violin has four strings tuned in fifths. Its sound comes from the bow's horsehair gripping the string and releasing it many times each second."),
        ("en-12", "Tea plants grow best on misty hillsides with acidic soil. Green tea is steamed or pan fired soon after picking, while black tea leaves are allowed to oxidise first."),
        ("en-13", "Lighthouses once used clockwork to rotate their lenses. A Fresnel lens gathers the lamp's light into a narrow beam that sailors can see from many miles away."),
        ("en-14", "Recycling aluminium saves most of the energy needed to make new metal from bauxite ore. A drinks can may be melted down and returned to a shop shelf within a few weeks."),
        ("en-15", "The human heart beats around one hundred thousand times a day. Valves keep blood flowing in one direction through its four chambers."),
        ("en-16", "Glaciers carve U-shaped valleys as they slide downhill. Rocks frozen into the ice scrape the bedrock and leave long scratches that geologists still study."),
        ("en-17", "Monarch butterflies migrate thousands of kilometres from Canada to central Mexico. No single butterfly completes the round trip; it takes several generations."),
        ("en-18", "A credit score summarises how reliably a person has repaid loans. Lenders use it to decide whether to approve a mortgage and what interest rate to charge."),
        ("en-19", "The Roman aqueducts carried water into cities using only gravity. Engineers kept a gentle, constant slope over many kilometres, sometimes crossing valleys on tall arches."),
        ("en-20", "Octopuses can change colour in a fraction of a second. Special skin cells called chromatophores expand or shrink to show different pigments for camouflage."),
        ("en-21", "Wind turbines turn the kinetic energy of moving air into electricity. Longer blades sweep a larger area, so modern turbines are built taller to reach stronger, steadier winds."),
        ("en-22", "Coffee originated in the highlands of Ethiopia. Legend tells of a goat herder who noticed his animals became lively after eating the red berries of a certain shrub."),
        ("en-23", "The Hubble Space Telescope orbits above the blurring effect of the atmosphere. Its sharp images helped astronomers measure how fast the universe is expanding."),
        ("en-24", "Sleep moves through cycles of light, deep and dreaming stages. Most vivid dreams happen during rapid eye movement sleep, when the brain is nearly as active as when awake."),
        ("en-25", "Bamboo is one of the fastest growing plants in the world. Some species grow almost a metre in a single day, and the stems are strong enough to build scaffolding."),
        ("en-26", "The Silk Road was a network of trade routes between China and the Mediterranean. Merchants exchanged silk, spices and ideas, and religions spread along the same paths."),
        ("en-27", "Earthquakes are measured with seismometers that record ground motion. The moment magnitude scale is logarithmic, so each whole number means about thirty times more energy."),
        ("en-28", "Cheese is made by curdling milk with rennet and draining the whey. Ageing in caves or cellars lets moulds and bacteria develop the flavour of varieties like Roquefort."),
        ("en-29", "Bicycles stay upright mostly because the rider steers into a fall. The geometry of the front fork also helps the wheel turn in the direction of a lean."),
        ("en-30", "Desert plants such as cacti store water in thick stems. Their spines are modified leaves that reduce water loss and protect the plant from thirsty animals."),
        ("en-31", "The Apollo 11 mission landed the first people on the Moon in 1969. Neil Armstrong and Buzz Aldrin spent about two hours walking outside the lunar module."),
        ("en-32", "Batteries in electric cars are made of thousands of lithium-ion cells. A cooling system keeps them at a safe temperature during fast charging."),
        ("en-33", "Owls hunt at night using remarkable hearing. Their ears sit at different heights on the head, which lets them locate a mouse hidden under snow."),
        ("en-34", "Inflation means that the general level of prices rises over time. Central banks raise interest rates to slow borrowing and spending when inflation is too high."),
        ("en-35", "The Amazon rainforest produces much of its own rain. Trees release water vapour through their leaves, and the moist air forms clouds further inland."),
        ("en-36", "Origami is the Japanese art of folding paper without cutting it. Mathematicians use the same folding rules to design solar panels that unfold in space."),
        ("en-37", "Salmon return from the ocean to the river where they hatched in order to spawn. They are thought to find it by smell, remembering the chemistry of their home stream."),
        ("en-38", "Concrete hardens through a chemical reaction called hydration, not by drying. It keeps gaining strength for weeks, which is why builders keep fresh slabs damp."),
        ("en-39", "The piano can play both soft and loud notes, which gave it its original name, pianoforte. Felt hammers strike the strings when a key is pressed."),
    ];
}
