using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace RagService.Console.Tests;

/// <summary>
/// Debian's Chromium, headless, driven through Debian's chromedriver (deploy/setup.sh installs both). Waits poll the
/// page for a state the console sets when an action has finished (e.g. data-state="done"); the timeout only bounds a failure.
/// </summary>
public sealed class ConsoleBrowser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverDirectory = "/usr/bin";
    public const string DriverFile = "chromedriver";

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private ConsoleBrowser(ChromeDriver driver, string baseUrl)
    {
        Driver = driver;
        BaseUrl = baseUrl;
    }

    public ChromeDriver Driver { get; }

    public string BaseUrl { get; }

    /// <summary>Where screenshots go: under the test output, so a person can look at them after a run; emptied once per run.</summary>
    private static readonly Lazy<string> s_screenshots = new(() =>
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        return Directory.CreateDirectory(dir).FullName;
    });

    /// <param name="language">The browser's UI language (the console follows it until the user picks one).</param>
    public static ConsoleBrowser Open(string baseUrl, string language = "en-US", int width = 1280, int height = 900)
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(Path.Combine(DriverDirectory, DriverFile)))
        {
            throw new InvalidOperationException($"{ChromiumPath} or {DriverDirectory}/{DriverFile} is missing: run deploy/setup.sh (apt: chromium chromium-driver)");
        }

        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", $"--window-size={width},{height}", $"--lang={language}",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions");
        options.AddUserProfilePreference("intl.accept_languages", language);
        var service = ChromeDriverService.CreateDefaultService(DriverDirectory, DriverFile);
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        var browser = new ConsoleBrowser(driver, baseUrl.TrimEnd('/'));
        driver.Navigate().GoToUrl(browser.BaseUrl + "/");
        return browser;
    }

    public IWebElement Id(string id) => Driver.FindElement(By.Id(id));

    public IWebElement Css(string selector) => Driver.FindElement(By.CssSelector(selector));

    public IReadOnlyList<IWebElement> All(string selector) => Driver.FindElements(By.CssSelector(selector));

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> and the page's alert when it never does.</summary>
    public T Until<T>(Func<IWebDriver, T> condition, string what)
    {
        var wait = new WebDriverWait(Driver, WaitLimit) { PollingInterval = TimeSpan.FromMilliseconds(50) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            return wait.Until(condition);
        }
        catch (WebDriverTimeoutException)
        {
            var alert = Driver.FindElements(By.Id("alert")).FirstOrDefault()?.Text;
            throw new Xunit.Sdk.XunitException($"timed out waiting for {what}; the page's alert says: '{alert}'");
        }
    }

    public IWebElement Visible(string selector) =>
        Until(d => d.FindElements(By.CssSelector(selector)).FirstOrDefault(e => e.Displayed)!, $"'{selector}' to be visible");

    /// <summary>
    /// Reads from the element <paramref name="selector"/> finds, finding it again if the page re-rendered it in between
    /// (live lists replace their items on every refresh, which makes an element found earlier stale).
    /// </summary>
    public string Read(string selector, Func<IWebElement, string> read) => Until(d => read(d.FindElement(By.CssSelector(selector))), $"'{selector}' to read");

    public void Click(string selector) => Visible(selector).Click();

    public void Type(string selector, string text)
    {
        var input = Visible(selector);
        input.Clear();
        input.SendKeys(text);
    }

    public void Select(string selector, string value) => Visible(selector).FindElement(By.CssSelector($"option[value='{value}']")).Click();

    public string? SessionKey() => (string?)Driver.ExecuteScript("return sessionStorage.getItem('rag.apiKey');");

    public string Screenshot(string name)
    {
        var path = Path.Combine(s_screenshots.Value, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
